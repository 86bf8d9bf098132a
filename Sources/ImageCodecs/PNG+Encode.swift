import CPNG
import Foundation

extension PNG {
    /// Encodes `image` as an 8-bit PNG (grey, RGB or RGBA, as the image is) with one uncompressed
    /// `iTXt` chunk per entry of `textChunks` (keyword -> UTF-8 text), in keyword order so the same
    /// input gives the same bytes (see the `[PNGText]` form).
    public static func encode(_ image: Image, textChunks: [String: String] = [:]) throws -> Data {
        try encode(image, textChunks: textChunks.keys.sorted().map { PNGText(keyword: $0, text: textChunks[$0] ?? "") })
    }

    /// Encodes `image` as an 8-bit PNG (grey, RGB or RGBA, as the image is) with `textChunks` in
    /// the given order right after the header chunks and before the image data (`IDAT`), so that
    /// readers which stop at the image data (Pillow's `Image.open(...).info`, galleries) see them.
    /// Keywords must be 1 to 79 printable Latin-1 characters without leading, trailing or
    /// doubled spaces.
    public static func encode(_ image: Image, textChunks: [PNGText]) throws -> Data {
        try Image.validate(width: image.width, height: image.height, channels: image.channels)
        let textChunkData = try textChunks.map { try $0.encodedChunk() }
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
        // libpng writes the header chunks, then IDAT: the text chunks go before the first IDAT.
        let stream = Data(encoded)
        guard let imageDataStart = try PNGChunk.validate(stream, source: "encoded image", collecting: ["IDAT"]).first?.lowerBound else {
            throw ImageCodecError.unsupported(source: "image \(image.width) x \(image.height) x \(image.channels)",
                                              reason: "libpng wrote no IDAT chunk")
        }
        var result = Data(stream[..<imageDataStart])
        for chunk in textChunkData { result.append(chunk) }
        result.append(stream[imageDataStart...])
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

    /// Encodes `image` with `textChunks` in order (see the `[PNGText]` form)
    /// and writes it to `path` atomically, as the dictionary form does.
    public static func write(_ image: Image, to path: String, textChunks: [PNGText]) throws {
        let data = try encode(image, textChunks: textChunks)
        try AtomicFileWriter.write(data, to: path)
    }
}
