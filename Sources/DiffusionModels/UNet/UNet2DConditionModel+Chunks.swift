import TensorRuntime

extension UNet2DConditionModel {
    /// The same call as ``callAsFunction(sample:timesteps:encoderHiddenStates:)`` run on chunks
    /// of at most `maximumBatch` samples, concatenated. Samples are independent, so the result is
    /// the batched one; on a CPU, smaller chunks keep the activations of a large batch (the
    /// stream's T x P latents) from outgrowing the caches and the buffer pool. nil runs one call.
    public func callAsFunction(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor,
                               maximumBatch: Int?) throws -> Tensor {
        let batch = sample.shape[0]
        guard let maximumBatch, maximumBatch > 0, batch > maximumBatch,
              encoderHiddenStates.shape[0] == batch, timesteps.count == batch else {
            return try self(sample: sample, timesteps: timesteps, encoderHiddenStates: encoderHiddenStates)
        }
        var outputs: [Tensor] = []
        var start = 0
        while start < batch {
            let length = min(maximumBatch, batch - start)
            outputs.append(try self(sample: sample.slice(outer: start, length: length), timesteps: Array(timesteps[start..<(start + length)]),
                                    encoderHiddenStates: encoderHiddenStates.slice(outer: start, length: length)))
            start += length
        }
        return Tensor.concatenateOuter(outputs)
    }
}
