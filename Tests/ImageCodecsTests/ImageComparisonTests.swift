import Foundation
import ImageCodecs
import Testing

/// `Image.peakSignalToNoiseRatio(against:)`: the dB figure against hand-computed values.
@Suite struct ImageComparisonTests {
    @Test func psnrMatchesTheDefinition() throws {
        let reference = try Image(width: 4, height: 2, channels: 3, pixels: (0..<24).map { UInt8($0 * 10) })
        #expect(try reference.peakSignalToNoiseRatio(against: reference) == .infinity)
        // Every sample off by one: MSE 1, PSNR 20 log10(255) = 48.13 dB.
        let shifted = try Image(width: 4, height: 2, channels: 3, pixels: reference.pixels.map { $0 + 1 })
        #expect(abs(try shifted.peakSignalToNoiseRatio(against: reference) - 20 * log10(255.0)) < 1e-9)
        // One sample of 24 off by 24: MSE 24, PSNR 10 log10(255² / 24).
        var pixels = reference.pixels
        pixels[5] += 24
        let one = try Image(width: 4, height: 2, channels: 3, pixels: pixels)
        #expect(abs(try one.peakSignalToNoiseRatio(against: reference) - 10 * log10(255.0 * 255.0 / 24)) < 1e-9)
    }

    @Test func differentSizesAreRefused() throws {
        let a = try Image(width: 4, height: 2, channels: 3, repeating: 0)
        let b = try Image(width: 2, height: 4, channels: 3, repeating: 0)
        #expect(throws: ImageCodecError.self) { try a.peakSignalToNoiseRatio(against: b) }
    }
}
