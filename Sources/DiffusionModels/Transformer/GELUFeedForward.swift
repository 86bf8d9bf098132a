import TensorRuntime

/// diffusers' `FeedForward(dim, dim_out=dim, activation_fn="gelu-approximate")` (models/attention.py,
/// diffusers 0.42.1) of the SD3 blocks: `net.0.proj` (D -> 4D), GELU with the tanh
/// approximation, `net.2` (4D -> D).
struct GELUFeedForward: Sendable {
    let projectionIn: Linear, projectionOut: Linear

    init(_ store: ParameterStore, _ path: KeyPath, dimension: Int) throws {
        let inner = dimension * 4
        projectionIn = try Linear(store, path.appending("net", 0, "proj"), inFeatures: dimension, outFeatures: inner)
        projectionOut = try Linear(store, path.appending("net", 2), inFeatures: inner, outFeatures: dimension)
    }

    func callAsFunction(_ input: Tensor) -> Tensor { projectionOut(projectionIn(input).activated(.geluTanh)) }
}
