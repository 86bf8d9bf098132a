extension Image {
    /// The luminance of each pixel (`width * height` samples) as Pillow's `convert("L")`
    /// computes it (Pillow >= 9, `libImaging/Convert.c`): ITU-R BT.601 weights in 16-bit fixed
    /// point, `(R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16`, which rounds half up and keeps
    /// a grey level exactly. Alpha is ignored; a grey image returns its samples.
    public func luminance() -> [UInt8] {
        if channels == 1 { return pixels }
        var result = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { source in
            for index in 0..<(width * height) {
                let base = index * channels
                let red = UInt32(source[base]), green = UInt32(source[base + 1]), blue = UInt32(source[base + 2])
                result[index] = UInt8((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16)
            }
        }
        return result
    }

    /// The alpha channel (`width * height` samples), or nil when the image has none.
    public func alpha() -> [UInt8]? {
        guard channels == 4 else { return nil }
        return stride(from: 3, to: pixels.count, by: 4).map { pixels[$0] }
    }

    /// The luminance as a one-channel image (see `luminance()`).
    public func greyscale() -> Image {
        Image(uncheckedWidth: width, height: height, channels: 1, pixels: luminance())
    }
}
