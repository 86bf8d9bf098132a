import TensorRuntime

/// The weights of the tiny-random networks, drawn from PyTorch's CPU Mersenne Twister so that
/// they are the same on every platform and can be regenerated in Python with `torch.rand`.
///
/// For each network, a generator seeded with the network's seed (``TinyRandomComponent/seed``)
/// draws, for every parameter in sorted key order, `u = torch.rand(shape)` (one 32-bit output
/// per element, 24 bits used), and the parameter is, with `s = 2u - 1` in [-1, 1):
/// - a matrix, kernel or embedding table (rank >= 2): `s * (1 / sqrt(fanIn))`, fanIn the product
///   of all dimensions but the first;
/// - a vector named `*.weight` (a norm scale): `1 + s * 0.1`;
/// - any other vector (a bias): `s * 0.05`.
/// Every step is one float32 operation, rounded as PyTorch rounds it.
enum TinyRandomWeights {
    /// The tensors of `list`, drawn from `TorchGenerator(seed: seed)`.
    static func tensors(for list: TinyRandomParameterList, seed: UInt64) -> [String: Tensor] {
        var generator = TorchGenerator(seed: seed)
        var tensors: [String: Tensor] = [:]
        for key in list.shapes.keys.sorted() {
            guard let shape = list.shapes[key] else { continue }
            let uniform = generator.uniform(shape: shape)
            let signed = uniform.affine(scale: 2, shift: -1)   // u * 2 - 1
            let tensor: Tensor
            if shape.count >= 2 {
                let fanIn = shape.dropFirst().reduce(1, *)
                tensor = signed * Float(1 / Double(fanIn).squareRoot())
            } else if key.hasSuffix(".weight") {
                tensor = (signed * 0.1).affine(scale: 1, shift: 1)   // 1 + 0.1 * signed
            } else {
                tensor = signed * 0.05
            }
            tensors[key] = tensor
        }
        return tensors
    }
}
