import Foundation
import Testing
@testable import TensorRuntime

/// bf16 weights: rounding, the GEMM's three code paths, and the linear layer / convolutions
/// built on it, against double-precision references on odd shapes.
///
/// The error bound (docs/PERFORMANCE.md, "bf16 weights"). bf16 keeps 8 significand bits, so
/// rounding to nearest even changes a value by a factor (1 + d), |d| <= u = 2^-8. For
/// c = sum_p a_p w_p over K terms accumulated in float32 (unit roundoff v = 2^-24), with
/// N = K + ceil(K / 256) + 1 roundings per element at most (one per fused multiply-add or
/// pair, one per 256-deep block added into C, one for a bias),
/// - AVX2 / portable (weights rounded, activations float32):
///   |c' - c| <= (u + g_N (1 + u)) sum_p |a_p w_p|,
/// - AVX512-BF16 (both rounded; products of two bf16 are exact in float32):
///   |c' - c| <= ((1 + u)^2 - 1 + g_N (1 + u)^2) sum_p |a_p w_p|,
/// where g_N = N v / (1 - N v). Measured against the bf16-rounded weights instead, only the
/// accumulation remains (g_N sum |a_p w'_p| on the float32-activation paths), a bound tight
/// enough that any packing or indexing slip fails it.
@Suite struct BFloat16KernelTests {
    static let u = 0x1p-8
    static func accumulationBound(_ depth: Int) -> Double {
        let roundings = Double(depth + (depth + 255) / 256 + 1)
        return roundings * 0x1p-24 / (1 - roundings * 0x1p-24)
    }
    static func bound(_ depth: Int, path: BFloat16KernelPath) -> Double {
        let g = accumulationBound(depth)
        return path == .avx512BFloat16 || path == .emulatedAVX512BFloat16 ? (1 + u) * (1 + u) - 1 + g * (1 + u) * (1 + u) : u + g * (1 + u)
    }

    /// The nearest bf16 to `value` (ties to even), found by comparing the two candidates
    /// (infinity standing for 2^128, the next step after the largest finite bf16).
    static func referenceRounding(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let down = UInt16(bits >> 16), up = down &+ 1
        if bits & 0xFFFF == 0 { return down }
        func magnitude(_ half: UInt16) -> Double {
            let widened = Float(bitPattern: UInt32(half) << 16)
            return widened.isInfinite ? (widened > 0 ? 0x1p128 : -0x1p128) : Double(widened)
        }
        let distanceDown = abs(Double(value) - magnitude(down)), distanceUp = abs(magnitude(up) - Double(value))
        if distanceDown < distanceUp { return down }
        if distanceUp < distanceDown { return up }
        return down & 1 == 0 ? down : up
    }

    @Test func roundsToNearestEven() {
        var random = SplitMix64(seed: 3)
        var values: [Float] = [1, -1, 0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, Float(bitPattern: 0x3F80_8000),
                               Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001), Float(bitPattern: 0x3F80_7FFF),
                               Float(bitPattern: 0x0000_8000), Float(bitPattern: 0x0001_8000), Float(bitPattern: 0x7F7F_8000),
                               .leastNonzeroMagnitude]
        values += (0..<20000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: random.next())) }.filter { !$0.isNaN }
        let rounded = Tensor(shape: [values.count], values: values).converted(to: .bfloat16)
        #expect(rounded.dtype == .bfloat16)
        let widened = rounded.scalars
        var mismatches = 0
        for (index, value) in values.enumerated() where widened[index].bitPattern >> 16 != UInt32(Self.referenceRounding(value)) {
            mismatches += 1
            if mismatches < 5 { Issue.record("\(value) (bits \(String(value.bitPattern, radix: 16))) -> \(String(widened[index].bitPattern, radix: 16))") }
        }
        #expect(mismatches == 0)
        // Spot values: ties go to the even neighbour, the largest float32 rounds to infinity.
        #expect(widened[7] == 1 && widened[8] == Float(bitPattern: 0x3F82_0000) && widened[9] == Float(bitPattern: 0x3F81_0000))
        #expect(widened[6] == .infinity)
        let nan = Tensor(shape: [2], values: [.nan, -.nan]).converted(to: .bfloat16).scalars
        #expect(nan[0].isNaN && nan[1].isNaN)
    }

    /// A double-precision A W^T with its absolute scale sum |a_p w_p|.
    static func reference(_ a: [Float], _ w: [Float], m: Int, n: Int, k: Int) -> (values: [Double], scale: [Double]) {
        var values = [Double](repeating: 0, count: m * n), scale = values
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let product = Double(a[i * k + p]) * Double(w[j * k + p])
                    sum += product
                    magnitude += abs(product)
                }
                values[i * n + j] = sum
                scale[i * n + j] = magnitude
            }
        }
        return (values, scale)
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (1, 45, 600), (1, 40, 7), (7, 17, 33), (13, 45, 257), (100, 31, 600), (97, 130, 513), (5, 33, 3), (200, 40, 64)]

    static func checkPath(_ path: BFloat16KernelPath) {
        var random = SplitMix64(seed: 11)
        for shape in shapes {
            let a = random.values(shape.m * shape.k, -2, 2), w = random.values(shape.n * shape.k)
            let weights = Tensor(shape: [shape.n, shape.k], values: w)
            let rounded = weights.converted(to: .bfloat16).scalars
            let exact = reference(a, w, m: shape.m, n: shape.n, k: shape.k)
            let againstRounded = reference(a, rounded, m: shape.m, n: shape.n, k: shape.k)
            let panels = weights.packedBFloat16Panels(rows: shape.n)
            for transposed in [false, true] {
                var c = [Float](repeating: .nan, count: shape.m * shape.n)
                a.withUnsafeBufferPointer { aBuffer in
                    c.withUnsafeMutableBufferPointer { cBuffer in
                        BFloat16GEMM.multiply(
                            path: path, m: shape.m, weights: panels, a: aBuffer.baseAddress!, aRowStride: shape.k, aColumnStride: 1,
                            c: cBuffer.baseAddress!, cRowStride: transposed ? 1 : shape.n, cColumnStride: transposed ? shape.m : 1,
                            accumulate: false)
                    }
                }
                let bound = Self.bound(shape.k, path: path), accumulation = accumulationBound(shape.k)
                var worst = 0.0, worstTight = 0.0
                for i in 0..<shape.m {
                    for j in 0..<shape.n {
                        let value = Double(transposed ? c[j * shape.m + i] : c[i * shape.n + j])
                        let index = i * shape.n + j
                        worst = max(worst, abs(value - exact.values[index]) / (bound * exact.scale[index]))
                        worstTight = max(worstTight, abs(value - againstRounded.values[index]) / (accumulation * againstRounded.scale[index]))
                    }
                }
                #expect(worst <= 1, "\(path) \(shape) transposed \(transposed): error / derived bound = \(worst)")
                if path == .scalar || path == .avx2 || path == .avx512 {
                    #expect(worstTight <= 1, "\(path) \(shape) transposed \(transposed): error vs bf16 weights / g_N = \(worstTight)")
                }
            }
        }
    }

    @Test func portablePathIsWithinTheBound() { Self.checkPath(.scalar) }

    @Test(.enabled(if: BFloat16KernelPath.avx2.isSupported, "this CPU has no AVX2/FMA (not x86-64-v3)"))
    func avx2PathIsWithinTheBound() { Self.checkPath(.avx2) }

    @Test(.enabled(if: BFloat16KernelPath.avx512.isSupported,
                   "SKIPPED: this CPU has no AVX-512F; the AVX-512F bf16 kernel is not tested here"))
    func avx512PathIsWithinTheBound() { Self.checkPath(.avx512) }

    @Test(.enabled(if: BFloat16KernelPath.avx512BFloat16.isSupported,
                   "SKIPPED: this CPU has no AVX512-BF16 (vdpbf16ps); the native bf16 kernel is not tested here"))
    func nativePathIsWithinTheBound() { Self.checkPath(.avx512BFloat16) }

    /// Forcing a path the CPU lacks is refused and changes nothing (no illegal instruction is
    /// ever reachable); unsupported paths passed to the C entry point fall back the same way.
    /// The native path's driver (activation pairs, 32-channel tiles, odd panel counts) with its
    /// arithmetic emulated in C, on every CPU.
    @Test func emulatedNativePathIsWithinTheBound() { Self.checkPath(.emulatedAVX512BFloat16) }

    @Test func forcingAnUnsupportedPathIsRefused() {
        for path in BFloat16KernelPath.allCases where !path.isSupported {
            #expect(!BFloat16GEMM.force(path))
        }
        #expect(BFloat16GEMM.path.isSupported)
        #expect(BFloat16KernelPath.scalar.isSupported)
    }
}
