import TensorRuntime

extension UNet2DConditionModel {
    /// The same call as ``callAsFunction(sample:timesteps:encoderHiddenStates:textEmbeds:timeIDs:)`` run on chunks
    /// of at most `maximumBatch` samples, concatenated. Samples are independent, so the result is
    /// the batched one; on a CPU, smaller chunks keep the activations of a large batch (the
    /// stream's T x P latents) from outgrowing the caches and the buffer pool. nil runs one call.
    public func callAsFunction(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor,
                               maximumBatch: Int?) throws -> Tensor {
        try self(sample: sample, timesteps: timesteps, encoderHiddenStates: encoderHiddenStates,
                 textEmbeds: nil, timeIDs: nil, maximumBatch: maximumBatch)
    }

    /// ``callAsFunction(sample:timesteps:encoderHiddenStates:textEmbeds:timeIDs:)`` (SDXL's added
    /// inputs, sliced per chunk like the others) on chunks of at most `maximumBatch` samples.
    public func callAsFunction(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor,
                               textEmbeds: Tensor?, timeIDs: Tensor?, maximumBatch: Int?) throws -> Tensor {
        let batch = sample.shape.first ?? 0
        let addedInputsMatch = [textEmbeds, timeIDs].allSatisfy { input in
            input.map { $0.rank >= 1 && $0.shape[0] == batch } ?? true
        }
        guard let maximumBatch, maximumBatch > 0, batch > maximumBatch, addedInputsMatch,
              encoderHiddenStates.rank >= 1, encoderHiddenStates.shape[0] == batch, timesteps.count == batch else {
            return try self(sample: sample, timesteps: timesteps, encoderHiddenStates: encoderHiddenStates,
                            textEmbeds: textEmbeds, timeIDs: timeIDs)
        }
        var outputs: [Tensor] = []
        var start = 0
        while start < batch {
            let length = min(maximumBatch, batch - start)
            outputs.append(try self(sample: sample.slice(outer: start, length: length), timesteps: Array(timesteps[start..<(start + length)]),
                                    encoderHiddenStates: encoderHiddenStates.slice(outer: start, length: length),
                                    textEmbeds: textEmbeds?.slice(outer: start, length: length),
                                    timeIDs: timeIDs?.slice(outer: start, length: length)))
            start += length
        }
        return Tensor.concatenateOuter(outputs)
    }
}
