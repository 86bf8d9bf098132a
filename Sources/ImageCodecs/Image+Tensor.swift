import TensorRuntime

/// The value range of a float image tensor.
public enum TensorValueRange: Sendable, Equatable {
    /// 0 ... 1: sample / 255.
    case unit
    /// -1 ... 1: sample / 127.5 - 1 (what the VAE reads and writes).
    case signed
}

extension Image {
    /// The image as a float tensor of shape [channels, height, width] (planar, like PyTorch's
    /// `to_tensor`), with samples mapped to `range`.
    public func tensor(range: TensorValueRange) -> Tensor {
        let planeSize = width * height
        return Tensor(shape: [channels, height, width]) { output in
            pixels.withUnsafeBufferPointer { source in
                for pixel in 0..<planeSize {
                    for channel in 0..<channels {
                        let sample = Float(source[pixel * channels + channel])
                        output[channel * planeSize + pixel] = range == .unit ? sample / 255 : sample / 127.5 - 1
                    }
                }
            }
        }
    }

    /// An image from a float tensor of shape [channels, height, width] (or [1, channels,
    /// height, width]) in `range`: values are mapped to 0 ... 255, rounded to nearest (halves
    /// away from zero) and clamped, so out-of-range values saturate. NaN becomes 0.
    public init(tensor: Tensor, range: TensorValueRange) throws {
        var shape = tensor.shape
        if shape.count == 4, shape[0] == 1 { shape.removeFirst() }
        guard shape.count == 3 else {
            throw ImageCodecError.invalidImage(reason: "tensor shape \(tensor.shape) is not [channels, height, width]")
        }
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        try Self.validate(width: width, height: height, channels: channels)
        let planeSize = width * height
        var pixels = [UInt8](repeating: 0, count: planeSize * channels)
        tensor.withUnsafeHostElements { input in
            pixels.withUnsafeMutableBufferPointer { output in
                for channel in 0..<channels {
                    for pixel in 0..<planeSize {
                        let value = input[channel * planeSize + pixel]
                        let scaled = range == .unit ? value * 255 : (value + 1) * 127.5
                        let clamped = scaled.isNaN ? 0 : min(max(scaled.rounded(.toNearestOrAwayFromZero), 0), 255)
                        output[pixel * channels + channel] = UInt8(clamped)
                    }
                }
            }
        }
        self.init(uncheckedWidth: width, height: height, channels: channels, pixels: pixels)
    }
}
