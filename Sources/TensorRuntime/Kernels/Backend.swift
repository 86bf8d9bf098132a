/// Where kernels run. Today every tensor lives in host memory and every kernel is a CPU kernel
/// (Swift SIMD loops plus BLAS). Model code only calls the operations in `Kernels/` on
/// ``Tensor``, never raw loops, so a GPU backend can be added behind these operations (a device
/// tag on ``TensorStorage`` and a dispatch in each operation) without touching the networks.
public enum Backend: String, Sendable {
    /// Host memory, Swift kernels and the platform BLAS.
    case cpu

    /// The backend the operations use.
    public static let current: Backend = .cpu
}
