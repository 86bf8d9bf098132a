import Captioning
import Testing
import TensorRuntime

/// `BlipImageProcessor` against transformers 5.24.0 `BlipImageProcessorPil` (Pillow 13.0.0) on the
/// fixture images: a downscale (antialiased bicubic), an upscale, an exact 224 x 224 (no
/// resampling), RGBA composited onto white and grey. The resampling is Pillow's integer
/// arithmetic and the rest float32 as NumPy computes it, so the pixel values must be equal.
@Suite struct ImageProcessorTests {
    @Test func readsTheFolderConfiguration() throws {
        let processor = try BlipImageProcessor(folder: CaptioningFixtures.modelFolder)
        #expect(processor == BlipImageProcessor())
    }

    @Test(arguments: CaptioningFixtures.reference?.images ?? [])
    func matchesTransformers(_ entry: CaptioningFixtures.ImageEntry) throws {
        let processor = try BlipImageProcessor(folder: CaptioningFixtures.modelFolder)
        let pixels = processor(try CaptioningFixtures.image(entry.image))
        let expected = try CaptioningFixtures.outputs().tensor("pixel_values.\(entry.index)")
        let difference = try #require(maximumAbsoluteDifference(pixels, expected), "shape \(pixels.shape) vs \(expected.shape)")
        #expect(difference == 0, "\(entry.image): max-abs \(difference)")
    }

    @Test func fixturesCoverEveryKindOfInput() throws {
        let reference = try #require(CaptioningFixtures.reference)
        #expect(Set(reference.images.map(\.image)) == ["grey.png", "rgb-224.png", "rgb-large.png", "rgb-small.png", "rgba.png"])
        #expect(reference.versions.contains("transformers 5.24.0") && reference.versions.contains("Pillow 13.0.0"))
    }
}
