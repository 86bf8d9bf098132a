import TensorRuntime

/// diffusers' `PatchEmbed` as `SD3Transformer2DModel` uses it (models/embeddings.py, diffusers
/// 0.42.1): `proj` (a patch_size x patch_size convolution with stride patch_size) turns the
/// latent [B, C, H, W] into tokens [B, (H/p)(W/p), D], and the 2-D sincos position embedding is
/// added. With `pos_embed_max_size` M the embedding of an M x M grid (the persistent buffer
/// `pos_embed.pos_embed` [1, M*M, D], computed when a checkpoint lacks it) is cropped around its
/// centre to the patch grid: rows from (M - h) / 2, columns from (M - w) / 2 (floor). Without
/// it, the embedding is computed for the patch grid itself.
struct PatchEmbedding: Sendable {
    let projection: Conv2d
    let patchSize: Int
    let dimension: Int
    let baseSize: Int
    let maximumGridSize: Int?
    /// The M x M table [M, M * D] (checkpoint or computed), when `maximumGridSize` is set.
    let storedTable: Tensor?

    init(_ store: ParameterStore, _ path: KeyPath, configuration: SD3TransformerConfiguration) throws {
        let dimension = configuration.innerDimension
        projection = try Conv2d(store, path.appending("proj"), inChannels: configuration.inChannels, outChannels: dimension,
                                kernelSize: configuration.patchSize, stride: configuration.patchSize)
        patchSize = configuration.patchSize
        self.dimension = dimension
        baseSize = configuration.positionBaseSize
        maximumGridSize = configuration.positionEmbeddingMaximumSize
        if let maximum = maximumGridSize {
            let key = path.key("pos_embed")
            let table: Tensor
            if store.keys.contains(key) {
                table = try store.take(key, shape: [1, maximum * maximum, dimension])
            } else {
                table = SinusoidalPositionEmbedding.table(gridRows: maximum, gridColumns: maximum, rows: 0..<maximum,
                                                          columns: 0..<maximum, dimension: dimension, baseSize: baseSize)
            }
            storedTable = table.reshaped([maximum, maximum * dimension])
        } else {
            storedTable = nil
        }
    }

    /// The position embedding [1, rows * columns, D] of a rows x columns patch grid.
    func positionEmbedding(rows: Int, columns: Int) throws -> Tensor {
        guard let maximum = maximumGridSize, let storedTable else {
            return SinusoidalPositionEmbedding.table(gridRows: rows, gridColumns: columns, rows: 0..<rows, columns: 0..<columns,
                                                     dimension: dimension, baseSize: baseSize).reshaped([1, rows * columns, dimension])
        }
        guard rows <= maximum, columns <= maximum else {
            throw ModelLoadingError.invalidInput(name: "hidden_states",
                reason: "gives a \(rows) x \(columns) patch grid, larger than pos_embed_max_size \(maximum) (latent sides up to \(maximum * patchSize))")
        }
        let top = (maximum - rows) / 2, left = (maximum - columns) / 2
        return storedTable.cropped(to: SpatialRegion(top: top, left: left * dimension, height: rows, width: columns * dimension))
            .reshaped([1, rows * columns, dimension])
    }

    /// Tokens [B, (H/p)(W/p), D] of a latent [B, C, H, W] (H and W multiples of p).
    func callAsFunction(_ latent: Tensor) throws -> Tensor {
        let position = try positionEmbedding(rows: latent.shape[2] / patchSize, columns: latent.shape[3] / patchSize)
        return projection(latent).channelsLast() + position
    }
}
