import DiffusionModels
import Foundation
import ImageCodecs
import TensorRuntime

// Port of transformers 5.24 `BlipImageProcessorPil` (models/blip/image_processing_pil_blip.py over
// `PilBackend` in image_processing_backends.py), the image processor of BLIP-2's processor: RGB
// conversion, `PIL.Image.resize` to `size` with bicubic filtering, rescale by 1/255 (float64, then
// float32), normalise with the CLIP mean and std (float32), channels first.

/// The pixel values BLIP-2's vision transformer takes, from an 8-bit image.
public struct BlipImageProcessor: Sendable, Equatable {
    /// Output height and width (`size`; 224 x 224 for blip2-opt-2.7b).
    public var height: Int
    public var width: Int
    /// Whether to resize (`do_resize`).
    public var resize: Bool
    /// Whether to multiply by ``rescaleFactor`` (`do_rescale`).
    public var rescale: Bool
    /// `rescale_factor`, 1/255.
    public var rescaleFactor: Double
    /// Whether to normalise with ``mean`` and ``standardDeviation`` (`do_normalize`).
    public var normalize: Bool
    /// `image_mean` per RGB channel (OpenAI CLIP's: 0.48145466, 0.4578275, 0.40821073).
    public var mean: [Float]
    /// `image_std` per RGB channel (OpenAI CLIP's: 0.26862954, 0.26130258, 0.27577711).
    public var standardDeviation: [Float]

    /// The processor blip2-opt-2.7b ships: 224 x 224, 1/255, CLIP mean and std.
    public init(height: Int = 224, width: Int = 224, resize: Bool = true, rescale: Bool = true,
                rescaleFactor: Double = 1.0 / 255.0, normalize: Bool = true,
                mean: [Float] = [0.48145466, 0.4578275, 0.40821073],
                standardDeviation: [Float] = [0.26862954, 0.26130258, 0.27577711]) {
        self.height = height
        self.width = width
        self.resize = resize
        self.rescale = rescale
        self.rescaleFactor = rescaleFactor
        self.normalize = normalize
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Pixel values [1, 3, height, width] of `image` (grey, RGB or RGBA; alpha is composited onto white).
    public func callAsFunction(_ image: Image) -> Tensor {
        var pixels = RGBConversion.rgbPixels(of: image)
        var pixelWidth = image.width
        var pixelHeight = image.height
        if resize && (pixelWidth != width || pixelHeight != height) {
            pixels = PillowResampling.resize(pixels, width: pixelWidth, height: pixelHeight, channels: 3,
                                             outputWidth: width, outputHeight: height)
            pixelWidth = width
            pixelHeight = height
        }
        let planeSize = pixelWidth * pixelHeight
        let factor = rescale ? rescaleFactor : 1
        // Per-value tables: every sample is one of 256 bytes.
        let tables: [[Float]] = (0..<3).map { channel in
            (0..<256).map { byte -> Float in
                let value = Float(Double(byte) * factor)
                return normalize ? (value - mean[channel]) / standardDeviation[channel] : value
            }
        }
        return Tensor(shape: [1, 3, pixelHeight, pixelWidth]) { output in
            for channel in 0..<3 {
                let table = tables[channel]
                for index in 0..<planeSize {
                    output[channel * planeSize + index] = table[Int(pixels[3 * index + channel])]
                }
            }
        }
    }
}

extension BlipImageProcessor {
    /// The processor of a BLIP-2 folder: `processor_config.json`'s `image_processor` (what
    /// transformers 5 saves), else `preprocessor_config.json` (older hub folders); the defaults
    /// above when neither exists. Only bicubic resampling (`resample` 3) to a fixed height and
    /// width is supported; anything else is an error naming the field.
    public init(folder: String) throws {
        let processorFile = (folder as NSString).appendingPathComponent("processor_config.json")
        let preprocessorFile = (folder as NSString).appendingPathComponent("preprocessor_config.json")
        let file: String
        let fields: [String: Any]
        if let object = try Self.jsonObject(processorFile) {
            guard let nested = object["image_processor"] as? [String: Any] else {
                throw ModelLoadingError.invalidConfiguration(file: processorFile, field: "image_processor", reason: "is missing or not an object")
            }
            (file, fields) = (processorFile, nested)
        } else if let object = try Self.jsonObject(preprocessorFile) {
            (file, fields) = (preprocessorFile, object)
        } else {
            self.init()
            return
        }
        self.init()
        if let size = fields["size"] {
            guard let size = size as? [String: Any], let height = size["height"] as? Int, let width = size["width"] as? Int,
                  height > 0, width > 0 else {
                throw ModelLoadingError.unsupportedConfiguration(file: file, field: "size", value: "\(size) (expected {\"height\": H, \"width\": W})")
            }
            self.height = height
            self.width = width
        }
        if let resample = fields["resample"], (resample as? Int) != 3 {
            throw ModelLoadingError.unsupportedConfiguration(file: file, field: "resample", value: "\(resample) (only 3, bicubic)")
        }
        for key in ["do_center_crop", "do_pad"] where (fields[key] as? Bool) == true {
            throw ModelLoadingError.unsupportedConfiguration(file: file, field: key, value: "true")
        }
        resize = try Self.flag(fields, "do_resize", file: file) ?? resize
        rescale = try Self.flag(fields, "do_rescale", file: file) ?? rescale
        normalize = try Self.flag(fields, "do_normalize", file: file) ?? normalize
        if let factor = fields["rescale_factor"] {
            guard let value = (factor as? NSNumber)?.doubleValue else {
                throw ModelLoadingError.invalidConfiguration(file: file, field: "rescale_factor", reason: "must be a number")
            }
            // Foundation's JSON parser on Linux may read 0.00392156862745098 (Python's repr of
            // 1/255) one ulp off; the value transformers uses is exactly 1/255.
            rescaleFactor = abs(value - 1.0 / 255.0) < 1e-15 ? 1.0 / 255.0 : value
        }
        mean = try Self.triple(fields, "image_mean", file: file) ?? mean
        standardDeviation = try Self.triple(fields, "image_std", file: file) ?? standardDeviation
    }

    private static func jsonObject(_ path: String) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "(file)", reason: "is not a JSON object")
        }
        return object
    }

    private static func flag(_ fields: [String: Any], _ key: String, file: String) throws -> Bool? {
        guard let value = fields[key] else { return nil }
        guard let flag = value as? Bool else {
            throw ModelLoadingError.invalidConfiguration(file: file, field: key, reason: "must be true or false")
        }
        return flag
    }

    private static func triple(_ fields: [String: Any], _ key: String, file: String) throws -> [Float]? {
        guard let value = fields[key] else { return nil }
        guard let numbers = value as? [NSNumber], numbers.count == 3 else {
            throw ModelLoadingError.invalidConfiguration(file: file, field: key, reason: "must be three numbers (R, G, B)")
        }
        return numbers.map { Float($0.doubleValue) }
    }
}
