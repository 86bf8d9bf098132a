import Foundation
import TensorRuntime

/// diffusers' 2-D sincos position embedding (`get_2d_sincos_pos_embed`, models/embeddings.py,
/// diffusers 0.42.1) as SD3's `PatchEmbed` builds it: on an R x C grid, grid coordinates are
/// `arange(n) / (n / base_size) / interpolation_scale` in float32; each position gets
/// [sin(x w), cos(x w)] of its *column* coordinate, then of its *row* coordinate (D/2 each),
/// with w_k = 1 / 10000^(k / (D/4)), computed in float64 and rounded to float32 once.
public enum SinusoidalPositionEmbedding {
    /// The embeddings [rows.count * columns.count, dimension] (row-major over the positions) of
    /// the positions in `rows` x `columns` of a `gridRows` x `gridColumns` grid, so that a crop
    /// of a large grid costs only its own size. `dimension` must be a multiple of 4.
    public static func table(gridRows: Int, gridColumns: Int, rows: Range<Int>, columns: Range<Int>, dimension: Int,
                             baseSize: Int, interpolationScale: Float = 1) -> Tensor {
        precondition(dimension % 4 == 0 && rows.lowerBound >= 0 && rows.upperBound <= gridRows
                     && columns.lowerBound >= 0 && columns.upperBound <= gridColumns)
        // torch: float32 arange divided by the Python float n / base_size (rounded to float32).
        func coordinates(_ count: Int) -> [Double] {
            let step = Float(Double(count) / Double(baseSize))
            return (0..<count).map { Double(Float($0) / step / interpolationScale) }
        }
        let rowCoordinates = coordinates(gridRows), columnCoordinates = coordinates(gridColumns)
        let quarter = dimension / 4
        let frequencies = (0..<quarter).map { 1.0 / Foundation.pow(10000.0, Double($0) / (Double(dimension / 2) / 2.0)) }
        return Tensor(shape: [rows.count * columns.count, dimension]) { values in
            var index = 0
            for row in rows {
                for column in columns {
                    for (offset, coordinate) in [columnCoordinates[column], rowCoordinates[row]].enumerated() {
                        let base = index + offset * 2 * quarter
                        for k in 0..<quarter {
                            let argument = coordinate * frequencies[k]
                            values[base + k] = Float(Foundation.sin(argument))
                            values[base + quarter + k] = Float(Foundation.cos(argument))
                        }
                    }
                    index += dimension
                }
            }
        }
    }
}
