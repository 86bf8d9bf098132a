import TensorRuntime

/// diffusers' `CombinedTimestepTextProjEmbeddings` (models/embeddings.py, diffusers 0.42.1), the
/// SD3 transformer's `time_text_embed`: the timestep's 256-channel sinusoidal embedding
/// (`Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0)`) through
/// `timestep_embedder` (`linear_1`, SiLU, `linear_2`), plus the pooled text embedding through
/// `text_embedder` (`PixArtAlphaTextProjection` with SiLU: `linear_1`, SiLU, `linear_2`).
struct CombinedTimestepTextEmbedding: Sendable {
    static let timestepChannels = 256
    let timestepLinear1: Linear, timestepLinear2: Linear
    let textLinear1: Linear, textLinear2: Linear

    init(_ store: ParameterStore, _ path: KeyPath, dimension: Int, pooledProjectionDimension: Int) throws {
        let timestep = path.appending("timestep_embedder"), text = path.appending("text_embedder")
        timestepLinear1 = try Linear(store, timestep.appending("linear_1"), inFeatures: Self.timestepChannels, outFeatures: dimension)
        timestepLinear2 = try Linear(store, timestep.appending("linear_2"), inFeatures: dimension, outFeatures: dimension)
        textLinear1 = try Linear(store, text.appending("linear_1"), inFeatures: pooledProjectionDimension, outFeatures: dimension)
        textLinear2 = try Linear(store, text.appending("linear_2"), inFeatures: dimension, outFeatures: dimension)
    }

    /// The conditioning embedding [B, D] for one timestep per sample and `pooledProjections` [B, P].
    func callAsFunction(timesteps: [Float], pooledProjections: Tensor) -> Tensor {
        let projected = Tensor.timestepEmbedding(timesteps: timesteps, dimension: Self.timestepChannels, flipSinToCos: true,
                                                 downscaleFrequencyShift: 0)
        let timeEmbedding = timestepLinear2(timestepLinear1(projected).activated(.silu))
        let textEmbedding = textLinear2(textLinear1(pooledProjections).activated(.silu))
        return timeEmbedding + textEmbedding
    }
}
