import Foundation

/// A normalised one-dimensional Gaussian kernel, the separable factor of the 2-D mask blur.
///
/// Side 2*ceil(3*std)+1, weights exp(-x^2 / (2 std^2)) for x = -r...r divided by their sum, in
/// float64 (docs/ALGORITHM.md §2, step 3). A std `<= 0` gives the identity kernel `[1]`.
struct GaussianKernel: Sendable {
    /// r: the kernel covers offsets -r...r.
    let radius: Int
    /// The 2r+1 normalised weights, offset -r first.
    let weights: [Double]

    init(standardDeviation: Double) {
        guard standardDeviation > 0 else {
            radius = 0
            weights = [1]
            return
        }
        let radius = Int((3 * standardDeviation).rounded(.up))
        let denominator = 2 * standardDeviation * standardDeviation
        let raw = (-radius...radius).map { offset -> Double in
            let x = Double(offset)
            return exp(-(x * x) / denominator)
        }
        let sum = raw.reduce(0, +)
        self.radius = radius
        weights = raw.map { $0 / sum }
    }
}
