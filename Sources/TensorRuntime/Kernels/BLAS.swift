#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Row-major single-precision GEMM through the platform BLAS (OpenBLAS on Linux, Accelerate on
/// macOS). BLAS threads itself; callers that already run on several of our workers wrap their
/// calls in ``withSingleThread(_:)`` so the two thread pools do not oversubscribe the cores.
public enum BLAS {
    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, all row-major with leading
    /// dimensions `lda`, `ldb`, `ldc`.
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// Runs `body` with BLAS restricted to one thread, restoring the previous count afterwards.
    public static func withSingleThread<Result>(_ body: () throws -> Result) rethrows -> Result {
        #if canImport(Accelerate)
        return try body()
        #else
        let previous = openblas_get_num_threads()
        if previous == 1 { return try body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(previous) }
        return try body()
        #endif
    }
}
