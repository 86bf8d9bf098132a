// Port of PyTorch's CPU generator and its float32 normal/uniform sampling (torch 2.13.0):
// aten/src/ATen/CPUGeneratorImpl.cpp (random, random64, the cached normal sample),
// aten/src/ATen/core/DistributionsHelper.h and TransformationHelper.h (uniform_real_distribution,
// normal_distribution<double>), aten/src/ATen/native/cpu/DistributionTemplates.h (normal_kernel,
// normal_fill, NormalFill16) and native/cpu/DistributionKernels.cpp (which kernel is dispatched).
// See docs/RANDOM.md.

import Foundation

/// A CPU `torch.Generator` seeded with `manual_seed(seed)`: the same 32-bit stream, and the same
/// tensors from ``normal(shape:)`` (`torch.randn(shape, generator: g)`) and ``uniform(shape:)``
/// (`torch.rand`), with the state carried from draw to draw as PyTorch carries it.
///
/// - Tensors with fewer than 16 elements take PyTorch's scalar path,
///   `at::normal_distribution<double>`: Box-Muller on two 53-bit uniform doubles, the second
///   sample cached in the generator for the next scalar draw. Values are reproduced exactly.
/// - Tensors with 16 or more elements take PyTorch's batched `normal_fill`: the whole tensor is
///   first filled with 24-bit uniform floats, then every block of 16 is transformed in place,
///   pairs (i, i + 8); when the size is not a multiple of 16, 16 fresh uniforms are drawn and
///   the last 16 elements are recomputed from them. The transform reproduces PyTorch's AVX2
///   kernel (the one x86-64 CPUs with AVX2 or AVX-512 run) bit for bit; PyTorch builds without
///   AVX2 use libm `logf`/`sinf`/`cosf` there and differ from it by up to about 2e-6.
///
/// Seeds that agree modulo 2^32 give the same stream (see ``MersenneTwister``).
public struct TorchGenerator: Sendable {
    /// The Mersenne Twister state.
    public private(set) var engine: MersenneTwister
    /// The second Box-Muller sample of the scalar path, returned by the next scalar draw
    /// (`CPUGeneratorImpl::next_double_normal_sample_`); the batched path neither reads nor
    /// clears it.
    public private(set) var cachedNormalSample: Double?

    /// The seed given at creation (all 64 bits, as `torch.Generator.initial_seed()` reports it).
    public var seed: UInt64 { engine.seed }

    /// Tensors with at least this many elements take PyTorch's batched normal path.
    public static let batchedNormalThreshold = 16

    /// A generator in the state of `torch.Generator().manual_seed(seed)`.
    ///
    /// PyTorch accepts seeds from -2^63 to 2^64 - 1 and wraps negative ones modulo 2^64; pass
    /// `UInt64(bitPattern: negativeSeed)` for those.
    public init(seed: UInt64) {
        engine = MersenneTwister(seed: seed)
        cachedNormalSample = nil
    }

    /// The next 32-bit output (`CPUGeneratorImpl::random()`).
    public mutating func nextUInt32() -> UInt32 { engine.next() }

    /// Two 32-bit outputs, the first in the high half (`CPUGeneratorImpl::random64()`).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(engine.next())
        let low = UInt64(engine.next())
        return high << 32 | low
    }

    /// A uniform double in [0, 1) from the low 53 bits of ``nextUInt64()``
    /// (`at::uniform_real_distribution<double>(0, 1)`).
    public mutating func nextUniformDouble() -> Double {
        Double(nextUInt64() & (1 << 53 - 1)) * 0x1p-53
    }

    /// A uniform float in [0, 1) from the low 24 bits of ``nextUInt32()``
    /// (`at::uniform_real_distribution<float>(0, 1)`, one element of `torch.rand`).
    public mutating func nextUniformFloat() -> Float {
        Float(nextUInt32() & 0xFF_FFFF) * 0x1p-24
    }

    /// One standard normal sample of the scalar path (`at::normal_distribution<double>(0, 1)`):
    /// the cached sample if there is one, else `r cos(theta)` from two fresh uniform doubles,
    /// caching `r sin(theta)`.
    public mutating func nextNormalDouble() -> Double {
        if let cached = cachedNormalSample {
            cachedNormalSample = nil
            return cached
        }
        let angleUniform = nextUniformDouble()
        let radiusUniform = nextUniformDouble()
        let radius = (-2.0 * Foundation.log1p(-radiusUniform)).squareRoot()
        let theta = 2.0 * Double.pi * angleUniform
        cachedNormalSample = radius * Foundation.sin(theta)
        return radius * Foundation.cos(theta)
    }

    /// A tensor of standard normal samples: `torch.randn(shape, generator=g)` in float32.
    ///
    /// Every dimension must be non-negative.
    public mutating func normal(shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let tensor = Tensor(uninitializedShape: shape)
        let count = tensor.count
        let values = tensor.pointer
        if count < Self.batchedNormalThreshold {
            for index in 0..<count { values[index] = Float(nextNormalDouble()) }
            return tensor
        }
        fillUniform(values, count: count)
        var start = 0
        while start + 16 <= count {
            Self.boxMuller16(values + start)
            start += 16
        }
        if count % 16 != 0 {
            let tail = values + (count - 16)
            fillUniform(tail, count: 16)
            Self.boxMuller16(tail)
        }
        return tensor
    }

    /// A tensor of uniform samples in [0, 1): `torch.rand(shape, generator=g)` in float32.
    ///
    /// Every dimension must be non-negative.
    public mutating func uniform(shape: [Int]) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let tensor = Tensor(uninitializedShape: shape)
        fillUniform(tensor.pointer, count: tensor.count)
        return tensor
    }

    private mutating func fillUniform(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count { values[index] = nextUniformFloat() }
    }

    /// `NormalFill16<float>` (AVX2): Box-Muller on pairs (j, j + 8) of 16 uniforms, in place,
    /// with `u1 = 1 - data[j]` (so that log's argument is in (0, 1]) and `u2 = data[j + 8]`.
    @inline(__always)
    static func boxMuller16(_ data: UnsafeMutablePointer<Float>) {
        let twoPi = Float(2.0 * Double.pi)
        for lane in 0..<8 {
            let radiusUniform = 1 - data[lane]
            let angleUniform = data[lane + 8]
            let radius = (-2 * CephesMath.log(radiusUniform)).squareRoot()
            let (sine, cosine) = CephesMath.sinCos(twoPi * angleUniform)
            // `_mm256_fmadd_ps(n, std = 1, mean = 0)`: n exactly, except that -0 becomes +0.
            data[lane] = radius * cosine + 0
            data[lane + 8] = radius * sine + 0
        }
    }
}
