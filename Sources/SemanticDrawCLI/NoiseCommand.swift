import ArgumentParser
import Foundation
import TensorRuntime

/// `semantic-draw noise`: `torch.randn(shape, generator=torch.Generator().manual_seed(seed))`
/// written to a safetensors file (see docs/RANDOM.md).
struct NoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Write the float32 tensor torch.randn(shape) gives for a seeded CPU torch.Generator.",
        discussion: """
        The tensor is saved under the name 'noise'. It equals, in PyTorch 2.13 on the CPU,
          torch.randn(shape, generator=torch.Generator().manual_seed(seed))
        exactly for fewer than 16 elements, and bit for bit with x86-64 CPUs with AVX2 for 16 or
        more (PyTorch builds without AVX2 differ by up to about 2e-6). See docs/RANDOM.md.

        PyTorch accepts seeds from -2^63 to 2^64-1 and wraps negative ones modulo 2^64 (for
        seed -1 pass 18446744073709551615); only the low 32 bits of the seed select the stream.
        """
    )

    @Option(help: "The generator seed: an integer from 0 to 18446744073709551615.")
    var seed: String

    @Option(help: "The tensor shape: positive integers separated by commas, e.g. 1,4,64,64.")
    var shape: String

    @Option(help: "safetensors file to write (written atomically).")
    var output: String

    /// The largest tensor the command writes (4 GiB of float32).
    static let maximumElementCount = 1 << 30

    func validate() throws {
        _ = try Self.parseSeed(seed)
        _ = try Self.parseShape(shape)
        try Self.checkWritable(output)
    }

    func run() throws {
        let seedValue = try Self.parseSeed(seed)
        let dimensions = try Self.parseShape(shape)
        let start = Date()
        var generator = TorchGenerator(seed: seedValue)
        let noise = generator.normal(shape: dimensions)
        do {
            try SafeTensorsWriter.write(["noise": .float32(noise)], to: output)
        } catch let error as SafeTensorsError {
            throw CommandFailure(error.description)
        }
        let seconds = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(
            "noise: wrote noise \(dimensions) (seed \(seedValue)) to \(output) in \(String(format: "%.3f", seconds)) s\n".utf8))
    }

    /// The seed as an unsigned 64-bit integer, or an error saying which values are accepted.
    static func parseSeed(_ text: String) throws -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = UInt64(trimmed) else {
            var message = "seed '\(text)' is not an integer from 0 to \(UInt64.max)"
            if let negative = Int64(trimmed), negative < 0 {
                message += "; PyTorch wraps negative seeds modulo 2^64, so pass \(UInt64(bitPattern: negative))"
            }
            throw ValidationError(message)
        }
        return value
    }

    /// The dimensions of a comma-separated shape, each a positive integer.
    static func parseShape(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var dimensions: [Int] = []
        var elementCount = 1
        for part in parts {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let dimension = Int(item), dimension > 0 else {
                throw ValidationError("shape dimension '\(item)' in '\(text)' is not a positive integer; write the shape as positive integers separated by commas, e.g. 1,4,64,64")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maximumElementCount else {
                throw ValidationError("shape '\(text)' has more than \(maximumElementCount) elements")
            }
            elementCount = product
            dimensions.append(dimension)
        }
        return dimensions
    }

    /// Checks that `path` names a file (not a folder) in an existing folder this process can write.
    static func checkWritable(_ path: String) throws {
        guard !path.isEmpty else { throw ValidationError("--output is empty; give a .safetensors file path") }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("output '\(path)' is a folder; give a file path such as \(path)/noise.safetensors")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the folder of output '\(path)' (\(folder)) does not exist; create it first")
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw ValidationError("the folder of output '\(path)' (\(folder)) is not writable")
        }
    }
}
