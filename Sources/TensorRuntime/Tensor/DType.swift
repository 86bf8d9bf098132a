/// The element type a tensor's storage holds.
///
/// Every operation computes in float32 today; `bfloat16` and `float16` name the storage types
/// that come next (weights kept in half precision, bf16 GEMM). A tensor carries its dtype so that
/// code which reaches host memory (``Tensor/withUnsafeHostElements(_:)``) and the backends can
/// check what they are given instead of assuming it.
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
