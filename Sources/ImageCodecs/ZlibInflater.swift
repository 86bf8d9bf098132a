import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// zlib's `uncompress`, for compressed text chunks (`zTXt`, compressed `iTXt`). zlib is
/// already loaded with libpng; its symbol is looked up at run time because libpng's header
/// does not export zlib's and this target has no zlib module of its own.
enum ZlibInflater {
    private typealias Uncompress = @convention(c) (
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt
    ) -> Int32

    private struct Library: @unchecked Sendable {
        let uncompress: Uncompress?
    }

    private static let library: Library = {
        #if canImport(Darwin)
        let names = ["libz.1.dylib", "libz.dylib"]
        #else
        let names = ["libz.so.1", "libz.so"]
        #endif
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW), let symbol = dlsym(handle, "uncompress") else { continue }
            return Library(uncompress: unsafeBitCast(symbol, to: Uncompress.self))
        }
        return Library(uncompress: nil)
    }()

    /// The largest text a compressed chunk may inflate to (guards against zip bombs).
    static let maximumOutput = 256 << 20

    /// The inflated bytes of a zlib stream, or a reason it could not be inflated.
    static func inflate(_ compressed: Data) -> Result<Data, InflateFailure> {
        guard let uncompress = library.uncompress else { return .failure(.unavailable) }
        var capacity = max(1024, compressed.count * 4)
        while capacity <= maximumOutput {
            var output = [UInt8](repeating: 0, count: capacity)
            var outputLength = UInt(capacity)
            let status = compressed.withUnsafeBytes { input in
                output.withUnsafeMutableBufferPointer { buffer in
                    uncompress(buffer.baseAddress, &outputLength, input.bindMemory(to: UInt8.self).baseAddress, UInt(input.count))
                }
            }
            switch status {
            case 0: return .success(Data(output[0..<Int(outputLength)]))
            case -5: capacity *= 2 // Z_BUF_ERROR: the output did not fit
            default: return .failure(.corrupt(status: status))
            }
        }
        return .failure(.tooLarge)
    }

    enum InflateFailure: Error, CustomStringConvertible {
        case unavailable, tooLarge, corrupt(status: Int32)

        var description: String {
            switch self {
            case .unavailable: return "zlib could not be loaded"
            case .tooLarge: return "it inflates to more than \(ZlibInflater.maximumOutput >> 20) MiB"
            case .corrupt(let status): return "its compressed data is corrupt (zlib status \(status))"
            }
        }
    }
}
