import TensorRuntime

extension SD3Transformer2DModel {
    /// The same call as ``callAsFunction(hiddenStates:encoderHiddenStates:pooledProjections:timesteps:)``
    /// run on chunks of at most `maximumBatch` samples, concatenated (as the UNet's chunked call):
    /// samples are independent, so the result is the batched one, while a large batch (the
    /// stream's T x P latents) keeps its activations small. nil runs one call; so do inputs whose
    /// batch sizes disagree (the unchunked call then names the bad input).
    public func callAsFunction(hiddenStates: Tensor, encoderHiddenStates: Tensor, pooledProjections: Tensor,
                               timesteps: [Float], maximumBatch: Int?) throws -> Tensor {
        let batch = hiddenStates.shape.first ?? 0
        guard let maximumBatch, maximumBatch > 0, batch > maximumBatch, timesteps.count == batch,
              encoderHiddenStates.rank >= 1, encoderHiddenStates.shape[0] == batch,
              pooledProjections.rank >= 1, pooledProjections.shape[0] == batch else {
            return try self(hiddenStates: hiddenStates, encoderHiddenStates: encoderHiddenStates,
                            pooledProjections: pooledProjections, timesteps: timesteps)
        }
        var outputs: [Tensor] = []
        var start = 0
        while start < batch {
            let length = min(maximumBatch, batch - start)
            outputs.append(try self(hiddenStates: hiddenStates.slice(outer: start, length: length),
                                    encoderHiddenStates: encoderHiddenStates.slice(outer: start, length: length),
                                    pooledProjections: pooledProjections.slice(outer: start, length: length),
                                    timesteps: Array(timesteps[start..<(start + length)])))
            start += length
        }
        return Tensor.concatenateOuter(outputs)
    }
}
