/// The arithmetic a network's weights are kept and multiplied in.
///
/// `fp32` is the reference: every weight float32, products through the platform BLAS
/// (Winograd for 3x3 convolutions). `bf16` keeps the weight matrices of linear layers and
/// convolutions in bfloat16 (half the memory) and multiplies them in the bf16 GEMM
/// (``BFloat16GEMM``) with float32 accumulation; biases, norms, embeddings, softmax, attention
/// and the scheduler arithmetic stay float32.
public enum Precision: String, Sendable, Hashable, CaseIterable, Codable {
    /// float32 weights and products.
    case fp32
    /// bfloat16 weight matrices, float32 accumulation.
    case bf16

    /// The dtype weight matrices are stored in.
    public var weightDType: DType { self == .fp32 ? .float32 : .bfloat16 }
}
