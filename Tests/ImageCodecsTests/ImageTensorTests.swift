import Foundation
import ImageCodecs
import TensorRuntime
import Testing

/// Float tensor conversions ([C, H, W], planar) and channel extraction; luminance against
/// Pillow's `convert("L")` integer formula (Pillow >= 9, `L24` in `libImaging/Convert.c`).
@Suite struct ImageTensorTests {
    @Test func convertsToPlanarTensors() throws {
        let image = try Image(width: 2, height: 1, channels: 3, pixels: [0, 51, 255, 102, 153, 204])
        let unit = image.tensor(range: .unit)
        #expect(unit.shape == [3, 1, 2])
        #expect(unit.scalars == [0, 0.4, 0.2, 0.6, 1, 0.8].map { Float($0) })
        let signed = image.tensor(range: .signed)
        #expect(signed.scalars.map { ($0 * 1e5).rounded() / 1e5 } == [-1, -0.2, -0.6, 0.2, 1, 0.6])
        #expect(try Image(tensor: unit, range: .unit) == image)
        #expect(try Image(tensor: signed, range: .signed) == image)
    }

    @Test func roundsToNearestAndClamps() throws {
        let values: [Float] = [-0.3, 100.4 / 255, 100.6 / 255, 1.7, .nan, 0.5]
        let image = try Image(tensor: Tensor(shape: [1, 1, 1, 6], values: values), range: .unit)
        #expect(image.channels == 1 && image.width == 6)
        #expect(image.pixels == [0, 100, 101, 255, 0, 128])
        let signed = try Image(tensor: Tensor(shape: [1, 1, 4], values: [-2, -1, 0, 1]), range: .signed)
        #expect(signed.pixels == [0, 0, 128, 255])
        #expect(throws: ImageCodecError.self) { try Image(tensor: Tensor(shape: [2, 2, 2], values: Array(repeating: 0, count: 8)), range: .unit) }
    }

    @Test func extractsLuminanceLikePillow() throws {
        // Expected values: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16, e.g. Pillow gives 76
        // for pure red, 150 for pure green, 29 for pure blue.
        let image = try Image(width: 5, height: 1, channels: 4,
                              pixels: [255, 0, 0, 9, 0, 255, 0, 99, 0, 0, 255, 255, 77, 77, 77, 0, 10, 200, 30, 1])
        #expect(image.luminance() == [76, 150, 29, 77, 124])
        #expect(image.alpha() == [9, 99, 255, 0, 1])
        #expect(image.greyscale().channels == 1)
        #expect(try Image(width: 1, height: 1, channels: 3, repeating: 5).alpha() == nil)
    }
}
