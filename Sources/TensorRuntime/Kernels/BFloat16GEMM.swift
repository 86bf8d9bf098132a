import CKernels
import Foundation
import Synchronization

/// The code paths of the bf16-weight GEMM (CKernelsBF16.h). All accumulate in float32;
/// they differ in what is rounded to bf16 (docs/PERFORMANCE.md, "bf16 weights").
public enum BFloat16KernelPath: String, Sendable, CaseIterable {
    /// Portable C, any CPU: bf16 weights widened to float32, float32 activations.
    case scalar
    /// AVX2 + FMA (every x86-64-v3 CPU): the same arithmetic as ``scalar`` in a 6x16 register
    /// tile, weights widened in registers (shift / mask).
    case avx2
    /// AVX512-BF16 (`vdpbf16ps`): activations rounded to bf16 too, a 12x32 register tile.
    case avx512BFloat16 = "avx512bf16"
    /// AVX-512F: ``avx2``'s arithmetic (weights widened in registers, float32 activations and
    /// FMA) in a 12x32 tile of zmm registers; the fastest path on Intel CPUs, whose
    /// `vdpbf16ps` runs at half their float32 FMA rate.
    case avx512
    /// ``avx512BFloat16``'s blocking and arithmetic in portable C, so that tests check that
    /// path's driver on any CPU (slow; never the default).
    case emulatedAVX512BFloat16 = "avx512bf16-emulated"

    var code: Int32 {
        switch self {
        case .scalar: return Int32(SD_BF16_PATH_SCALAR.rawValue)
        case .avx2: return Int32(SD_BF16_PATH_AVX2.rawValue)
        case .avx512BFloat16: return Int32(SD_BF16_PATH_AVX512_BF16.rawValue)
        case .emulatedAVX512BFloat16: return Int32(SD_BF16_PATH_AVX512_BF16_EMULATED.rawValue)
        case .avx512: return Int32(SD_BF16_PATH_AVX512.rawValue)
        }
    }

    /// Whether this CPU (and its operating system) can run the path.
    public var isSupported: Bool { sd_bf16_path_supported(code) != 0 }

    /// The fastest supported path.
    public static var fastest: BFloat16KernelPath {
        switch Int(sd_bf16_best_path()) {
        case Int(SD_BF16_PATH_AVX512_BF16.rawValue): return .avx512BFloat16
        case Int(SD_BF16_PATH_AVX512.rawValue): return .avx512
        case Int(SD_BF16_PATH_AVX2.rawValue): return .avx2
        default: return .scalar
        }
    }
}

/// The GEMM behind linear layers and convolutions whose weights are half precision:
/// C[m x n] (+)= A[m x k] * W^T with A float32 (activations, any strides), W packed bf16
/// panels, C float32 (any strides), float32 accumulation.
public enum BFloat16GEMM {
    private static let forcedPath = Atomic<Int>(-1)

    /// The path in use: the one forced by ``force(_:)``, else `SEMANTIC_DRAW_BF16_KERNEL`
    /// (`scalar`, `avx2`, `avx512` or `avx512bf16`, when supported), else the fastest this CPU runs.
    public static var path: BFloat16KernelPath {
        let forced = forcedPath.load(ordering: .relaxed)
        if forced >= 0 { return BFloat16KernelPath.allCases[forced] }
        return environmentPath
    }

    private static let environmentPath: BFloat16KernelPath = {
        if let name = ProcessInfo.processInfo.environment["SEMANTIC_DRAW_BF16_KERNEL"],
           let path = BFloat16KernelPath(rawValue: name), path.isSupported {
            return path
        }
        return .fastest
    }()

    /// Forces `path` for every later product (nil: back to the default); an unsupported path
    /// is refused (returns false) so that no illegal instruction can be reached.
    @discardableResult
    public static func force(_ path: BFloat16KernelPath?) -> Bool {
        guard let path else {
            forcedPath.store(-1, ordering: .relaxed)
            return true
        }
        guard path.isSupported else { return false }
        forcedPath.store(BFloat16KernelPath.allCases.firstIndex(of: path)!, ordering: .relaxed)
        return true
    }

    /// C = (accumulate ? C : 0) + A W^T: element (i, p) of A at `a[i * aRowStride + p *
    /// aColumnStride]`, (i, j) of C at `c[i * cRowStride + j * cColumnStride]`; split over the
    /// workers by rows of A when there are enough, else by weight panels.
    static func multiply(
        path: BFloat16KernelPath? = nil, m: Int, weights: PackedBFloat16Panels,
        a: UnsafePointer<Float>, aRowStride: Int, aColumnStride: Int,
        c: UnsafeMutablePointer<Float>, cRowStride: Int, cColumnStride: Int, accumulate: Bool
    ) {
        let code = (path ?? Self.path).code
        let n = weights.rows, k = weights.depth, panels = weights.panelCount
        let workers = ComputeThreads.count
        let aBox = UncheckedSendable(a), cBox = UncheckedSendable(c), packed = UncheckedSendable(UnsafePointer(weights.elements))
        let small = m * n * k < BLAS.parallelThreshold
        if small || workers == 1 {
            sd_bf16_gemm(code, m, n, k, a, aRowStride, aColumnStride, packed.value, 0, panels, c, cRowStride, cColumnStride,
                         accumulate ? 1 : 0)
        } else if m >= 96 * workers || panels < 2 * workers {
            // Rows: micro-panel (6-row) aligned ranges.
            let blocks = (m + 5) / 6
            parallelRanges(blocks) { range in
                let first = range.lowerBound * 6, end = min(m, range.upperBound * 6)
                sd_bf16_gemm(code, end - first, n, k, aBox.value + first * aRowStride, aRowStride, aColumnStride,
                             packed.value, 0, panels, cBox.value + first * cRowStride, cRowStride, cColumnStride,
                             accumulate ? 1 : 0)
            }
        } else {
            // Weight panels, in pairs (the AVX512-BF16 kernel's 32-channel tile).
            let pairs = (panels + 1) / 2
            parallelRanges(pairs) { range in
                sd_bf16_gemm(code, m, n, k, aBox.value, aRowStride, aColumnStride, packed.value,
                             range.lowerBound * 2, min(panels, range.upperBound * 2),
                             cBox.value, cRowStride, cColumnStride, accumulate ? 1 : 0)
            }
        }
    }
}
