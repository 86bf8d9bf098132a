import Foundation

extension Tensor {
    /// Sinusoidal timestep embedding as diffusers' `get_timestep_embedding` computes it in float32:
    /// frequencies exp(-ln(maxPeriod) * i / (half - downscaleFrequencyShift)), arguments t * f,
    /// then [sin, cos] (or [cos, sin] when `flipSinToCos`). timesteps: one value per sample.
    static func cpuTimestepEmbedding(
        timesteps: [Float], dimension: Int, flipSinToCos: Bool, downscaleFrequencyShift: Float, maxPeriod: Float = 10000
    ) -> Tensor {
        let half = dimension / 2
        let logMaxPeriod = Float(-Foundation.log(Double(maxPeriod)))
        let frequencies = (0..<half).map { index in
            Foundation.exp(logMaxPeriod * Float(index) / (Float(half) - downscaleFrequencyShift))
        }
        let result = Tensor.zeros([timesteps.count, dimension])
        for (row, timestep) in timesteps.enumerated() {
            let output = result.pointer + row * dimension
            for index in 0..<half {
                let argument = timestep * frequencies[index]
                let sine = Foundation.sin(argument), cosine = Foundation.cos(argument)
                output[index] = flipSinToCos ? cosine : sine
                output[half + index] = flipSinToCos ? sine : cosine
            }
        }
        return result
    }

    /// Rows of an [N, D] table gathered by `indices`, giving [indices.count, D].
    /// Indices must lie in 0..<N (callers validate user input first).
    func cpuGatherRows(_ indices: [Int]) -> Tensor {
        let width = shape[1]
        let result = Tensor(uninitializedShape: [indices.count, width])
        for (row, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[0], "gatherRows: index \(index) outside 0..<\(shape[0])")
            (result.pointer + row * width).update(from: pointer + index * width, count: width)
        }
        return result
    }
}
