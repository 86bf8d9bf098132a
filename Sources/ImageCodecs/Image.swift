/// An 8-bit image in memory: `height` rows of `width` pixels, each with `channels`
/// interleaved samples (1 grey, 3 RGB, 4 RGBA), row-major, top row first.
public struct Image: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples per pixel: 1 (grey), 3 (RGB) or 4 (RGBA, straight, not premultiplied alpha).
    public let channels: Int
    /// `width * height * channels` samples, row-major and interleaved.
    public private(set) var pixels: [UInt8]

    /// The channel counts an `Image` can have.
    public static let supportedChannels: Set<Int> = [1, 3, 4]

    /// An image over `pixels`; throws `ImageCodecError.invalidImage` when the size, the channel
    /// count or the number of samples does not fit.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        try Self.validate(width: width, height: height, channels: channels)
        guard pixels.count == width * height * channels else {
            throw ImageCodecError.invalidImage(
                reason: "\(width) x \(height) x \(channels) needs \(width * height * channels) samples, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image whose every sample is `value`.
    public init(width: Int, height: Int, channels: Int, repeating value: UInt8) throws {
        try self.init(width: width, height: height, channels: channels,
                      pixels: [UInt8](repeating: value, count: max(0, width * height * channels)))
    }

    /// Used by the codecs once the size is known to be consistent.
    init(uncheckedWidth width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    static func validate(width: Int, height: Int, channels: Int) throws {
        guard width > 0, height > 0 else {
            throw ImageCodecError.invalidImage(reason: "size \(width) x \(height) must be positive")
        }
        guard supportedChannels.contains(channels) else {
            throw ImageCodecError.invalidImage(reason: "\(channels) channels (supported: 1 grey, 3 RGB, 4 RGBA)")
        }
        guard width <= 1 << 20, height <= 1 << 20 else {
            throw ImageCodecError.invalidImage(reason: "size \(width) x \(height) is larger than 1048576 pixels on a side")
        }
    }

    /// Whether the image has an alpha channel (4 channels).
    public var hasAlpha: Bool { channels == 4 }

    /// The sample of `channel` at column `x`, row `y`.
    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }
}
