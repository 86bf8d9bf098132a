/// The element type a tensor's storage holds.
///
/// Activations are always float32. `bfloat16` and `float16` tensors hold weights kept in half
/// precision (``Precision/bf16``, or F16/BF16 checkpoints mapped in place): linear layers and
/// convolutions accept them as their weight operand; everything else takes float32
/// (``Tensor/converted(to:)`` converts). A tensor carries its dtype so that code which reaches
/// host memory (``Tensor/withUnsafeHostElements(_:)``) and the backends can check what they
/// are given instead of assuming it.
public enum DType: String, Sendable, Hashable, CaseIterable {
    /// IEEE 754 binary32.
    case float32
    /// bfloat16: the upper 16 bits of a float32 (8 exponent bits).
    case bfloat16
    /// IEEE 754 binary16.
    case float16

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32: return 4
        case .bfloat16, .float16: return 2
        }
    }
}
