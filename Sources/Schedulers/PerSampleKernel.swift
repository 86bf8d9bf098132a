import TensorRuntime

/// Runs a scheduler formula on every batch element (dimension 0) at its own slot, after
/// checking shapes and slots. Formulas are tensor operations; per-slot coefficients become
/// per-sample tensors of shape [B, 1, ..., 1] that broadcast over each element, so every output
/// element is computed by exactly the scalar expression the formula names (float32, in order).
enum PerSampleKernel {
    /// Per-sample coefficients for the slots of one call: `perSample(values)` is the [B, 1, ...]
    /// tensor holding `values[slots[b]]` for batch element b.
    struct Coefficients {
        let slots: [Int]
        let rank: Int

        func callAsFunction(_ values: [Float]) -> Tensor {
            Tensor(shape: [slots.count] + Array(repeating: 1, count: max(rank - 1, 0)), values: slots.map { values[$0] })
        }
    }

    /// Checks that every input has the first one's shape, with a batch of `slots.count` in
    /// dimension 0, and that every slot is in range.
    static func check(_ inputs: [(name: String, tensor: Tensor)], slots: [Int], slotCount: Int) throws(SchedulerError) {
        guard let first = inputs.first else { return }
        let shape = first.tensor.shape
        guard !shape.isEmpty else {
            throw .shapeMismatch(argument: first.name, shape: shape, expected: "a batch in dimension 0 (rank >= 1)")
        }
        for input in inputs.dropFirst() where input.tensor.shape != shape {
            throw .shapeMismatch(argument: input.name, shape: input.tensor.shape, expected: "\(shape) (the shape of '\(first.name)')")
        }
        guard slots.count == shape[0] else { throw .slotCountMismatch(slots: slots.count, batchSize: shape[0]) }
        for slot in slots where !(0..<slotCount).contains(slot) {
            throw .slotOutOfRange(slot: slot, slotCount: slotCount)
        }
    }

    /// `formula(perSample)` after checking `inputs` (the formula reads the tensors it closes over).
    static func map(_ inputs: [(name: String, tensor: Tensor)], slots: [Int], slotCount: Int,
                    _ formula: (Coefficients) -> Tensor) throws(SchedulerError) -> Tensor {
        try check(inputs, slots: slots, slotCount: slotCount)
        return formula(Coefficients(slots: slots, rank: inputs.first?.tensor.rank ?? 1))
    }

    /// `p * first + q * second` per batch element, with `(p, q) = coefficients(slot)`; where
    /// `coefficients` gives nil the element of `first` is kept unchanged (bit for bit); where
    /// `second` is nil the result is `p * first` (a zero second term).
    static func combine(_ first: (name: String, tensor: Tensor), _ second: (name: String, tensor: Tensor)?, slots: [Int],
                        slotCount: Int, coefficients: (Int) -> (Float, Float)?) throws(SchedulerError) -> Tensor {
        try check([first] + (second.map { [$0] } ?? []), slots: slots, slotCount: slotCount)
        let pairs = slots.map(coefficients)
        guard pairs.contains(where: { $0 != nil }) else { return first.tensor }
        let perSample = Coefficients(slots: Array(slots.indices), rank: first.tensor.rank)
        let firstScale = perSample(pairs.map { $0?.0 ?? 1 }), secondScale = perSample(pairs.map { $0?.1 ?? 0 })
        var combined = firstScale * first.tensor
        if let second { combined = combined + secondScale * second.tensor }
        guard pairs.contains(where: { $0 == nil }) else { return combined }
        // Rows without coefficients keep `first` exactly.
        return Tensor.concatenateOuter(pairs.indices.map { row in
            (pairs[row] == nil ? first.tensor : combined).slice(outer: row, length: 1)
        })
    }

    /// The input after checking it (the identity step of schedulers whose model input is unscaled).
    static func copy(_ input: (name: String, tensor: Tensor), slots: [Int], slotCount: Int) throws(SchedulerError) -> Tensor {
        try check([input], slots: slots, slotCount: slotCount)
        return input.tensor
    }
}

extension PredictionType {
    /// The x0 estimate and the noise estimate for `sample` and network output `modelOutput` at
    /// levels with signal a_t and noise b_t (per-sample tensors; epsilon: x0 = (x - b eps) / a;
    /// v: x0 = a x - b v, eps = a v + b x).
    func originalAndNoise(sample: Tensor, modelOutput: Tensor, signal: Tensor, noise: Tensor) -> (original: Tensor, noise: Tensor) {
        switch self {
        case .epsilon: return ((sample - noise * modelOutput) / signal, modelOutput)
        case .vPrediction: return (signal * sample - noise * modelOutput, signal * modelOutput + noise * sample)
        }
    }
}
