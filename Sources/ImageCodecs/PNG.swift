import CPNG
import Foundation

/// PNG reading and writing over libpng's simplified API (`png_image_*`), which handles libpng's
/// errors inside libpng (no `setjmp` on the Swift side). Text chunks are read and written by
/// this module's own chunk code (`PNGChunkList`), since libpng's text API needs the low-level,
/// `setjmp`-based interface.
///
/// Channel layouts on decode: grey stays grey (1 channel); grey + alpha becomes RGBA (4
/// channels, the grey value copied to R, G and B) so that an `Image` is always 1, 3 or 4
/// channels; RGB stays RGB; RGBA stays RGBA; palette images become RGB, or RGBA when they have
/// transparency (`tRNS`); 16-bit samples become 8-bit (a 16-bit file with no gamma information
/// is taken to be sRGB-encoded, as other tools read it). Sub-8-bit grey is scaled to 0 ... 255.
/// Samples are returned as stored: gamma and colour-space chunks (`gAMA`, `cHRM`, `iCCP`) are
/// ignored, as Pillow ignores them.
public enum PNG {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Chunks removed before decoding so that samples are returned as stored, as Pillow returns
    /// them: libpng's simplified API would otherwise convert a file with a non-sRGB `gAMA` (or
    /// colour-space information) to sRGB, and masks are data, not colours.
    static let ignoredColorSpaceChunks: Set<String> = ["gAMA", "cHRM", "iCCP"]

    /// The largest image decoded, in samples (guards against absurd sizes in a header).
    public static let maximumSampleCount = 1 << 30

    /// Decodes PNG bytes; `source` names them in errors (a path, or "data"). The whole chunk
    /// structure must be intact (every CRC, up to `IEND`).
    public static func decode(data: Data, source: String = "data") throws -> Image {
        // The chunk structure first (lengths, CRCs, IEND), so that a truncated or damaged file is
        // an error even where libpng would tolerate it (it stops reading after the image data).
        let colorSpaceChunks = try PNGChunk.validate(data, source: source, collecting: ignoredColorSpaceChunks)
        var data = data
        for range in colorSpaceChunks.reversed() { data.removeSubrange(range) }
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> Image in
            var control = png_image()
            control.version = png_uint_32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&control, bytes.baseAddress, bytes.count) != 0 else {
                let message = Self.message(of: control)
                png_image_free(&control)
                throw ImageCodecError.corrupt(source: source, reason: message)
            }
            let colorFlag = UInt32(PNG_FORMAT_FLAG_COLOR), alphaFlag = UInt32(PNG_FORMAT_FLAG_ALPHA)
            let hasAlpha = control.format & alphaFlag != 0
            let hasColor = control.format & colorFlag != 0
            // Grey + alpha is widened to RGBA: Image has 1, 3 or 4 channels.
            let channels = hasAlpha ? 4 : (hasColor ? 3 : 1)
            let width = Int(control.width), height = Int(control.height)
            guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).partialValue <= maximumSampleCount / channels else {
                png_image_free(&control)
                throw ImageCodecError.unsupported(source: source, reason: "\(width) x \(height) pixels is too large to decode")
            }
            control.format = hasAlpha ? (colorFlag | alphaFlag) : (hasColor ? colorFlag : 0)
            control.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            let finished = pixels.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&control, nil, buffer.baseAddress, 0, nil)
            }
            guard finished != 0 else {
                let message = Self.message(of: control)
                png_image_free(&control)
                throw ImageCodecError.corrupt(source: source, reason: message)
            }
            return Image(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
        }
    }

    /// Reads and decodes the PNG file at `path`.
    public static func read(path: String) throws -> Image {
        try decode(data: readFile(path: path), source: path)
    }

    /// The bytes of the file at `path`, or `ImageCodecError.unreadableFile` naming it.
    static func readFile(path: String) throws -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ImageCodecError.unreadableFile(path: path, reason: "no such file")
        }
        guard !isFolder.boolValue else {
            throw ImageCodecError.unreadableFile(path: path, reason: "it is a folder")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageCodecError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// libpng's message for the last warning or error of `control`.
    static func message(of control: png_image) -> String {
        var copy = control.message
        let text = withUnsafeBytes(of: &copy) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error" : text
    }
}
