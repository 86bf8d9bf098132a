/// Vectorised transcendental functions for the activation and softmax kernels.
///
/// `exp` uses Cephes' range reduction (x = n ln2 + r) and a degree-6 polynomial, accurate to
/// about 2 ulp over float32's range; `erf` uses a rational fit with absolute error below 1e-7
/// (erf via erfc for |x| > 0.5 is unnecessary at float32 tolerance). Scalar libm per element would
/// make softmax alone cost seconds per UNet forward.
public enum FastMath {
    public typealias Vector = SIMD16<Float>

    /// e^x, elementwise. Inputs below -87.3 give 0; above 88.7 give +inf-free saturation.
    @inlinable @inline(__always)
    public static func exp(_ input: Vector) -> Vector {
        var x = input.clamped(lowerBound: Vector(repeating: -87.33654), upperBound: Vector(repeating: 88.72283))
        // n = round(x / ln 2) with the 1.5 * 2^23 trick (round to nearest even).
        let magic = Vector(repeating: 12582912.0)
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        x = x - n * 0.693359375
        x = x + n * 2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * x + 1.3981999507e-3
        p = p * x + 8.3334519073e-3
        p = p * x + 4.1665795894e-2
        p = p * x + 1.6666665459e-1
        p = p * x + 5.0000001201e-1
        let x2 = x * x
        let result = p * x2 + x + 1
        // 2^n from the integer bits of `shifted` (its low bits hold n + 0x400000 offset).
        let nBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &- 0x4B40_0000
        let scaleBits = (nBits &+ 127) &<< 23
        let scale = unsafeBitCast(scaleBits, to: Vector.self)
        return result * scale
    }

    /// |x|, elementwise (clears the sign bit).
    @inlinable @inline(__always)
    public static func magnitude(_ x: Vector) -> Vector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Vector.self)
    }

    /// The logistic function 1 / (1 + e^-x).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector {
        1 / (1 + exp(-x))
    }

    /// tanh(x) = sign(x) (1 - e^-2|x|) / (1 + e^-2|x|), with a Taylor form near 0 for accuracy.
    @inlinable @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let size = magnitude(x)
        let e = exp(-2 * size)
        var t = (1 - e) / (1 + e)
        let x2 = x * x
        var series: Vector = x2 * Float(-17.0 / 315.0) + Float(2.0 / 15.0)
        series = x2 * series + Float(-1.0 / 3.0)
        series = x2 * series + 1
        let small = size * series
        t.replace(with: small, where: size .< 0.05)
        return t.replacing(with: -t, where: x .< 0)
    }

    /// The error function, via erf(x) = sign(x) (1 - erfc(|x|)) with Numerical Recipes' erfc
    /// Chebyshev fit (relative error below 1.2e-7 everywhere).
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let z = magnitude(x)
        let t: Vector = 1 / (1 + 0.5 * z)
        var poly = Vector(repeating: 0.17087277)
        poly = poly * t + -0.82215223
        poly = poly * t + 1.48851587
        poly = poly * t + -1.13520398
        poly = poly * t + 0.27886807
        poly = poly * t + -0.18628806
        poly = poly * t + 0.09678418
        poly = poly * t + 0.37409196
        poly = poly * t + 1.00002368
        poly = poly * t + -1.26551223
        let erfc = t * exp(poly - z * z)
        let unsigned = 1 - erfc
        return unsigned.replacing(with: -unsigned, where: x .< 0)
    }
}
