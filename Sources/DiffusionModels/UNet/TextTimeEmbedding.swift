import TensorRuntime

/// diffusers' `add_time_proj` + `add_embedding` of an SDXL UNet (`addition_embed_type:
/// "text_time"`, `UNet2DConditionModel.get_aug_embed`): every time id gets the sinusoidal
/// embedding of `Timesteps(addition_time_embed_dim, flip_sin_to_cos, freq_shift)`, the results
/// are flattened per sample, concatenated after the text embedding and passed through
/// `add_embedding` (`linear_1`, SiLU, `linear_2`). The result is added to the time embedding.
struct TextTimeEmbedding: Sendable {
    let configuration: TextTimeEmbeddingConfiguration
    let flipSinToCos: Bool
    let frequencyShift: Float
    let linear1: Linear, linear2: Linear

    init(_ store: ParameterStore, _ path: KeyPath, configuration: TextTimeEmbeddingConfiguration,
         timeEmbeddingChannels: Int, flipSinToCos: Bool, frequencyShift: Float) throws {
        self.configuration = configuration
        self.flipSinToCos = flipSinToCos
        self.frequencyShift = frequencyShift
        linear1 = try Linear(store, path.appending("linear_1"), inFeatures: configuration.projectionInputDimension, outFeatures: timeEmbeddingChannels)
        linear2 = try Linear(store, path.appending("linear_2"), inFeatures: timeEmbeddingChannels, outFeatures: timeEmbeddingChannels)
    }

    /// The augmentation [B, time embedding channels] for `textEmbeds` [B, T] and `timeIDs`
    /// [B, N] with T + N x `addition_time_embed_dim` = `projection_class_embeddings_input_dim`
    /// (SDXL base: N = 6). Missing or mis-shaped inputs throw, naming the input.
    func callAsFunction(textEmbeds: Tensor?, timeIDs: Tensor?, batch: Int) throws -> Tensor {
        let standardCount = TextTimeEmbeddingConfiguration.standardTimeIDCount
        let dimension = configuration.timeEmbeddingDimension
        let textWidth = configuration.textEmbeddingDimension().map { "\($0)" } ?? "T"
        let expectedText = "[\(batch), \(textWidth)]", expectedTimeIDs = "[\(batch), \(standardCount)]"
        let purpose = "(the UNet's addition_embed_type is text_time)"
        guard let textEmbeds else {
            throw ModelLoadingError.invalidInput(name: "text_embeds", reason: "is required \(purpose): pass the pooled text embedding, \(expectedText)")
        }
        guard let timeIDs else {
            throw ModelLoadingError.invalidInput(name: "time_ids", reason: "is required \(purpose): pass the size and crop conditioning, \(expectedTimeIDs)")
        }
        guard timeIDs.rank == 2, timeIDs.shape[0] == batch, timeIDs.shape[1] > 0 else {
            throw ModelLoadingError.invalidInput(name: "time_ids", reason: "has shape \(timeIDs.shape), expected \(expectedTimeIDs)")
        }
        let timeIDCount = timeIDs.shape[1]
        guard textEmbeds.rank == 2, textEmbeds.shape[0] == batch else {
            throw ModelLoadingError.invalidInput(name: "text_embeds", reason: "has shape \(textEmbeds.shape), expected \(expectedText)")
        }
        guard textEmbeds.shape[1] + timeIDCount * dimension == configuration.projectionInputDimension else {
            let rule = "text_embeds width + time id count x \(dimension) must equal projection_class_embeddings_input_dim \(configuration.projectionInputDimension)"
            if timeIDCount != standardCount, configuration.textEmbeddingDimension() == textEmbeds.shape[1] {
                throw ModelLoadingError.invalidInput(name: "time_ids", reason: "has shape \(timeIDs.shape), expected \(expectedTimeIDs) (\(rule))")
            }
            throw ModelLoadingError.invalidInput(name: "text_embeds", reason: "has shape \(textEmbeds.shape), expected \(expectedText) with time_ids \(timeIDs.shape) (\(rule))")
        }
        let timeEmbeds = Tensor.timestepEmbedding(timesteps: timeIDs.scalars, dimension: dimension, flipSinToCos: flipSinToCos,
                                                  downscaleFrequencyShift: frequencyShift)
            .reshaped([batch, timeIDCount * dimension])
        let projected = Tensor.concatenateChannels([textEmbeds, timeEmbeds])
        return linear2(linear1(projected).activated(.silu))
    }
}
