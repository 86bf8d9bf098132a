#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
import CKernels
#endif

/// Row-major single-precision GEMM through the platform BLAS (OpenBLAS on Linux, Accelerate on
/// macOS).
///
/// Threading is ours, not BLAS's: OpenBLAS is pinned to one thread and ``sgemm`` splits large
/// products into column (or row) blocks run on our workers. Two thread pools on two cores
/// fought each other (OpenBLAS's idle threads spin in sched_yield: measured 10% of a UNet
/// forward), and kernels that already run per worker (attention tiles) call
/// ``sgemmSingleThreaded``.
public enum BLAS {
    /// Pins OpenBLAS to one thread, once; kernels that call ``sgemmSingleThreaded(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// from several workers call ``prepare()`` first.
    public static func prepare() { _ = configured }

    private static let configured: Bool = {
        #if !canImport(Accelerate)
        _ = repairedCore
        openblas_set_num_threads(1)
        #endif
        return true
    }()

    /// The kernel family OpenBLAS was switched to because it had fallen back to its generic
    /// "Prescott" kernels on a CPU it does not recognise although the CPU has AVX2/FMA or
    /// AVX-512 (4-5x slower sgemm; `sd_openblas_repair_core` in CKernels), or nil when OpenBLAS's
    /// own choice (or `OPENBLAS_CORETYPE`) stands.
    public static let repairedCore: String? = {
        #if canImport(Accelerate)
        return nil
        #else
        return sd_openblas_repair_core().map { String(cString: $0) }
        #endif
    }()

    /// The BLAS implementation and the kernel family it selected for this CPU (OpenBLAS
    /// chooses at load time, honouring `OPENBLAS_CORETYPE`).
    public static var implementation: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        _ = configured
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        let repaired = repairedCore == nil ? "" : " (chosen here: OpenBLAS fell back to Prescott on this CPU)"
        return "\(config.split(separator: " ").prefix(2).joined(separator: " ")), \(core) kernels\(repaired)"
        #endif
    }

    /// Products below this many multiply-adds run on one worker.
    public static let parallelThreshold = 1 << 21

    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, all row-major with leading
    /// dimensions `lda`, `ldb`, `ldc`; split over the workers when large.
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = configured
        if m == 1 {
            rowTimesMatrix(transposeA: transposeA, transposeB: transposeB, n: n, k: k, alpha: alpha, a: a, lda: lda,
                           b: b, ldb: ldb, beta: beta, c: c)
            return
        }
        let workers = ComputeThreads.count
        guard workers > 1, m * n * k >= parallelThreshold, max(m, n) >= 2 * workers else {
            sgemmSingleThreaded(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        // Split the larger of N (columns of B and C) and M (rows of A and C) into one block per
        // worker, block edges on multiples of 16 where possible.
        let aBox = UncheckedSendable(a), bBox = UncheckedSendable(b), cBox = UncheckedSendable(c)
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        parallelTasks(workers) { task, _ in
            let start = (extent * task / workers) & ~15
            let end = task == workers - 1 ? extent : (extent * (task + 1) / workers) & ~15
            guard end > start else { return }
            if splitColumns {
                let bBlock = transposeB ? bBox.value + start * ldb : bBox.value + start
                sgemmSingleThreaded(transposeA: transposeA, transposeB: transposeB, m: m, n: end - start, k: k, alpha: alpha,
                                    a: aBox.value, lda: lda, b: bBlock, ldb: ldb, beta: beta, c: cBox.value + start, ldc: ldc)
            } else {
                let aBlock = transposeA ? aBox.value + start : aBox.value + start * lda
                sgemmSingleThreaded(transposeA: transposeA, transposeB: transposeB, m: end - start, n: n, k: k, alpha: alpha,
                                    a: aBlock, lda: lda, b: bBox.value, ldb: ldb, beta: beta, c: cBox.value + start * ldc, ldc: ldc)
            }
        }
    }

    /// One row times a matrix (a decoder's single-token step), as GEMV: `sgemm` with m = 1 packs
    /// the whole of B on every call and ran at a quarter of GEMV's memory bandwidth (OPT-2.7b's
    /// 10240 x 2560 weights: 63 ms against 16 ms). Split over the workers in blocks of outputs.
    static func rowTimesMatrix(
        transposeA: Bool, transposeB: Bool, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>
    ) {
        // A is [1 x k]: contiguous, or a column of a transposed [k x lda] matrix.
        let aStride = Int32(transposeA ? lda : 1)
        let workers = n * k >= parallelThreshold && n >= 32 * ComputeThreads.count ? ComputeThreads.count : 1
        let aBox = UncheckedSendable(a), bBox = UncheckedSendable(b), cBox = UncheckedSendable(c)
        parallelTasks(workers) { task, _ in
            let start = task == 0 ? 0 : (n * task / workers) & ~15
            let end = task == workers - 1 ? n : (n * (task + 1) / workers) & ~15
            guard end > start else { return }
            if transposeB {
                // B is [n x k]: rows start..<end of it, times a.
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(end - start), Int32(k), alpha, bBox.value + start * ldb, Int32(ldb),
                            aBox.value, aStride, beta, cBox.value + start, 1)
            } else {
                // B is [k x n]: a times columns start..<end.
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(end - start), alpha, bBox.value + start, Int32(ldb),
                            aBox.value, aStride, beta, cBox.value + start, 1)
            }
        }
    }

    /// The same product on the calling thread only.
    @inlinable
    public static func sgemmSingleThreaded(
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
}
