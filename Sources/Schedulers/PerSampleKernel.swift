import TensorRuntime

/// Applies an element-wise scheduler kernel to every batch element (dimension 0) at its own
/// slot, after checking shapes and slots.
enum PerSampleKernel {
    /// The kernel: slot, the inputs' elements of one batch element, the output, the element count.
    typealias Kernel = (_ slot: Int, _ inputs: [UnsafePointer<Float>], _ output: UnsafeMutablePointer<Float>, _ count: Int) -> Void

    /// A new tensor of the inputs' shape whose batch element b is `kernel(slots[b], inputs[b])`.
    static func map(_ inputs: [(name: String, tensor: Tensor)], slots: [Int], slotCount: Int,
                    _ kernel: Kernel) throws(SchedulerError) -> Tensor {
        guard let first = inputs.first else { return Tensor.zeros([0]) }
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
        let perSample = shape[0] == 0 ? 0 : first.tensor.count / shape[0]
        return Tensor(shape: shape) { output in
            withHostElements(of: inputs.map(\.tensor)) { sources in
                for (batchIndex, slot) in slots.enumerated() {
                    let offset = batchIndex * perSample
                    kernel(slot, sources.map { $0 + offset }, output.baseAddress! + offset, perSample)
                }
            }
        }
    }

    /// Runs `body` with the host elements of every tensor in `tensors` (nested scoped accesses).
    private static func withHostElements(of tensors: [Tensor], _ body: ([UnsafePointer<Float>]) -> Void,
                                         collected: [UnsafePointer<Float>] = []) {
        guard let next = tensors.first else { return body(collected) }
        next.withUnsafeHostElements { elements in
            withHostElements(of: Array(tensors.dropFirst()), body, collected: collected + [elements.baseAddress!])
        }
    }

    /// `p * first + q * second` per batch element, with `(p, q) = coefficients(slot)`; where
    /// `coefficients` gives nil the element of `first` is copied unchanged; where `second` is
    /// nil the result is `p * first` (a zero second term).
    static func combine(_ first: (name: String, tensor: Tensor), _ second: (name: String, tensor: Tensor)?, slots: [Int],
                        slotCount: Int, coefficients: (Int) -> (Float, Float)?) throws(SchedulerError) -> Tensor {
        try map([first] + (second.map { [$0] } ?? []), slots: slots, slotCount: slotCount) { slot, inputs, output, count in
            guard let (firstScale, secondScale) = coefficients(slot) else {
                output.update(from: inputs[0], count: count)
                return
            }
            if inputs.count == 2 {
                for index in 0..<count { output[index] = firstScale * inputs[0][index] + secondScale * inputs[1][index] }
            } else {
                for index in 0..<count { output[index] = firstScale * inputs[0][index] }
            }
        }
    }

    /// A checked copy (the identity step of schedulers whose model input is unscaled).
    static func copy(_ input: (name: String, tensor: Tensor), slots: [Int], slotCount: Int) throws(SchedulerError) -> Tensor {
        try map([input], slots: slots, slotCount: slotCount) { _, inputs, output, count in
            output.update(from: inputs[0], count: count)
        }
    }
}

extension PredictionType {
    /// The x0 estimate and the noise estimate for `sample` and network output `modelOutput` at
    /// a level with signal a_t and noise b_t (epsilon: x0 = (x - b eps) / a; v: x0 = a x - b v,
    /// eps = a v + b x).
    @inline(__always)
    func originalAndNoise(sample: Float, modelOutput: Float, signal: Float, noise: Float) -> (original: Float, noise: Float) {
        switch self {
        case .epsilon: return ((sample - noise * modelOutput) / signal, modelOutput)
        case .vPrediction: return (signal * sample - noise * modelOutput, signal * modelOutput + noise * sample)
        }
    }
}
