// Port of the `log256_ps` and `sincos256_ps` functions of PyTorch's
// aten/src/ATen/native/cpu/avx_mathfun.h (torch 2.13.0; after Giovanni Garberoglio's AVX
// version of Julien Pommier's sse_mathfun, zlib licence), which PyTorch's AVX2 Box-Muller
// kernel (`NormalFill16<float>` in native/cpu/DistributionTemplates.h) uses.

/// Cephes single-precision `log` and `sincos` as PyTorch's AVX2 normal kernel evaluates them,
/// one lane at a time.
///
/// Bit-exact with the x86-64 torch wheels: those are built by GCC with `-mfma` and its
/// default `-ffp-contract=fast`, so a multiply whose only use is an add or subtract becomes a
/// fused multiply-add. Each `addingProduct` below stands for one such contraction (established
/// by comparing every element of the fixtures in Tests/Fixtures/torch-randn/); every other
/// operation is a separately rounded float operation, in the header's order.
enum CephesMath {
    static let sqrtHalf = Float(0.707106781186547524)
    static let logQ1 = Float(-2.12194440e-4)
    static let logQ2 = Float(0.693359375)
    static let minimumNormal = Float(bitPattern: 0x0080_0000)

    static let minusDP1 = Float(-0.78515625)
    static let minusDP2 = Float(-2.4187564849853515625e-4)
    static let minusDP3 = Float(-3.77489497744594108e-8)
    static let sineCoefficients: (Float, Float, Float) = (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)
    static let cosineCoefficients: (Float, Float, Float) = (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)
    static let fourOverPi = Float(1.27323954473516)

    /// Natural logarithm (`log256_ps`); NaN for inputs <= 0.
    @inline(__always)
    static func log(_ input: Float) -> Float {
        let invalid = input <= 0
        var x = Swift.max(input, minimumNormal)
        let exponent = Int32(bitPattern: x.bitPattern >> 23) &- 0x7F
        x = Float(bitPattern: (x.bitPattern & ~UInt32(0x7F80_0000)) | Float(0.5).bitPattern)
        var e = Float(exponent) + 1
        let below = x < sqrtHalf
        let extra: Float = below ? x : 0
        x = x - 1
        e = e - (below ? 1 : 0)
        x = x + extra
        let z = x * x
        var y: Float = 7.0376836292E-2
        y = Float(-1.1514610310E-1).addingProduct(y, x)
        y = Float(1.1676998740E-1).addingProduct(y, x)
        y = Float(-1.2420140846E-1).addingProduct(y, x)
        y = Float(1.4249322787E-1).addingProduct(y, x)
        y = Float(-1.6668057665E-1).addingProduct(y, x)
        y = Float(2.0000714765E-1).addingProduct(y, x)
        y = Float(-2.4999993993E-1).addingProduct(y, x)
        y = Float(3.3333331174E-1).addingProduct(y, x)
        y = y * x
        y = (e * logQ1).addingProduct(y, z)
        y = y.addingProduct(-z, 0.5)
        x = (x + y).addingProduct(e, logQ2)
        return invalid ? .nan : x
    }

    /// Sine and cosine together (`sincos256_ps`); accurate for |x| < 8192, as the header says.
    @inline(__always)
    static func sinCos(_ input: Float) -> (sin: Float, cos: Float) {
        let inputNegative = input.bitPattern & 0x8000_0000 != 0
        var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
        var y = x * fourOverPi
        // cvttps2dq: truncation, with 0x80000000 for values out of Int32's range.
        var octant = y < 2_147_483_648 ? Int32(y) : Int32.min
        octant = (octant &+ 1) & ~1
        y = Float(octant)
        let swapSineSign = octant & 4 != 0
        let useSinePolynomial = octant & 2 == 0
        x = x.addingProduct(y, minusDP1)
        x = x.addingProduct(y, minusDP2)
        x = x.addingProduct(y, minusDP3)
        let cosineNegative = ~(octant &- 2) & 4 != 0
        let sineNegative = inputNegative != swapSineSign

        let z = x * x
        var cosinePart = cosineCoefficients.0
        cosinePart = cosineCoefficients.1.addingProduct(cosinePart, z)
        cosinePart = cosineCoefficients.2.addingProduct(cosinePart, z)
        cosinePart = cosinePart * z
        cosinePart = (-(z * 0.5)).addingProduct(cosinePart, z)
        cosinePart = cosinePart + 1

        var sinePart = sineCoefficients.0
        sinePart = sineCoefficients.1.addingProduct(sinePart, z)
        sinePart = sineCoefficients.2.addingProduct(sinePart, z)
        sinePart = sinePart * z
        sinePart = x.addingProduct(sinePart, x)

        // The header's masked selection, kept as arithmetic so signed zeros come out the same.
        let sineFromSine: Float = useSinePolynomial ? sinePart : 0
        let sineFromCosine: Float = useSinePolynomial ? 0 : cosinePart
        let sine = sineFromCosine + sineFromSine
        let cosine = (cosinePart - sineFromCosine) + (sinePart - sineFromSine)
        return (sineNegative ? -sine : sine, cosineNegative ? -cosine : cosine)
    }
}
