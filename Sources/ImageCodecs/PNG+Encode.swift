import CPNG
import Foundation

extension PNG {
    /// Encodes `image` as an 8-bit PNG (grey, RGB or RGBA, as the image is), followed by one
    /// `iTXt` chunk per entry of `textChunks` (keyword -> UTF-8 text, uncompressed, written in
    /// keyword order so the same input gives the same bytes). Keywords must be 1 to 79
    /// printable Latin-1 characters without leading, trailing or doubled spaces.
    public static func encode(_ image: Image, textChunks: [String: String] = [:]) throws -> Data {
        try Image.validate(width: image.width, height: image.height, channels: image.channels)
        let textChunkData = try textChunks.keys.sorted().map { keyword in
            try PNGTextChunk.internationalTextChunk(keyword: keyword, text: textChunks[keyword] ?? "")
        }
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        control.width = png_uint_32(image.width)
        control.height = png_uint_32(image.height)
        let colorFlag = UInt32(PNG_FORMAT_FLAG_COLOR), alphaFlag = UInt32(PNG_FORMAT_FLAG_ALPHA)
        control.format = image.channels == 1 ? 0 : (image.channels == 3 ? colorFlag : colorFlag | alphaFlag)
        // First pass measures, second pass writes (libpng frees its state after each call).
        var size: png_alloc_size_t = 0
        let measured = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&control, nil, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw encodingFailure(control, image) }
        var encoded = [UInt8](repeating: 0, count: Int(size))
        let written = image.pixels.withUnsafeBytes { pixels in
            encoded.withUnsafeMutableBytes { output in
                png_image_write_to_memory(&control, output.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
        guard written != 0, Int(size) <= encoded.count, size >= 12 else { throw encodingFailure(control, image) }
        encoded.removeLast(encoded.count - Int(size))
        guard !textChunkData.isEmpty else { return Data(encoded) }
        // IEND is the last chunk (12 bytes); the text chunks go right before it.
        let iendStart = encoded.count - 12
        var result = Data(encoded[..<iendStart])
        for chunk in textChunkData { result.append(chunk) }
        result.append(contentsOf: encoded[iendStart...])
        return result
    }

    private static func encodingFailure(_ control: png_image, _ image: Image) -> ImageCodecError {
        var control = control
        let message = Self.message(of: control)
        png_image_free(&control)
        return .unsupported(source: "image \(image.width) x \(image.height) x \(image.channels)", reason: message)
    }

    /// Encodes `image` (see `encode(_:textChunks:)`) and writes it to `path` atomically: the
    /// bytes go to a temporary file in the same folder, which is then renamed over `path`;
    /// on failure nothing is left behind and an existing file at `path` is untouched.
    public static func write(_ image: Image, to path: String, textChunks: [String: String] = [:]) throws {
        let data = try encode(image, textChunks: textChunks)
        try AtomicFileWriter.write(data, to: path)
    }
}
