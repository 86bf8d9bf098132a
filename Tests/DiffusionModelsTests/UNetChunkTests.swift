import DiffusionModels
import TensorRuntime
import Testing

/// A UNet call split into chunks of samples gives the batched call's output.
@Suite struct UNetChunkTests {
    @Test func chunksEqualOneCall() throws {
        let unet = try TinyRandomModel().unet
        var generator = TorchGenerator(seed: 3)
        let sample = generator.normal(shape: [6, unet.configuration.inChannels, 8, 8])
        let context = generator.normal(shape: [6, 77, unet.configuration.crossAttentionDimension])
        let timesteps: [Float] = [999, 919, 759, 499, 259, 19]
        let whole = try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context)
        let chunked = try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context, maximumBatch: 4)
        #expect(chunked.shape == whole.shape)
        var worst: Float = 0, largest: Float = 0
        let chunkedValues = chunked.scalars, wholeValues = whole.scalars
        for index in 0..<whole.count {
            worst = max(worst, abs(chunkedValues[index] - wholeValues[index]))
            largest = max(largest, abs(wholeValues[index]))
        }
        #expect(worst <= 1e-6 * largest, "max-abs \(worst) of \(largest)")
    }
}
