import Foundation

/// A memory-mapped safetensors file (https://github.com/huggingface/safetensors format).
///
/// The header is validated completely when the file is opened — its length, JSON, every
/// tensor's dtype, shape, offsets, and that the shape's byte count equals its span within the
/// data section — so no tensor access can read outside the file. F32 tensors whose data is
/// 4-byte aligned are used in place (zero copy); F16, BF16 and F64 are converted to float32;
/// I64 and I32 tensors load as ``IntegerTensor``. Weight matrices loaded in half precision
/// (``halfPrecisionTensor(_:)``) keep F16/BF16 data in place.
public final class SafeTensorsFile: @unchecked Sendable {
    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Byte range within the data section.
        public let byteRange: Range<Int>
    }

    /// Largest header accepted (100 MB, as the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    /// The file's path.
    public let path: String
    /// The `__metadata__` strings, if any.
    public let metadata: [String: String]
    /// The tensors, by name.
    public let entries: [String: Entry]
    private let file: MappedFile
    private let dataStart: Int

    /// The tensor names, sorted.
    public var keys: [String] { entries.keys.sorted() }

    /// Opens and validates the file at `path`.
    public convenience init(path: String) throws {
        try self.init(mappedFile: MappedFile(path: path))
    }

    /// Opens and validates an already mapped file.
    public init(mappedFile: MappedFile) throws {
        let path = mappedFile.path
        file = mappedFile
        self.path = path
        guard mappedFile.size >= 8, let bytes = mappedFile.bytes else {
            throw SafeTensorsError.truncated(path: path, reason: "\(mappedFile.size) bytes, shorter than the 8-byte header length")
        }
        let headerLength = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw SafeTensorsError.malformedHeader(path: path, reason: "header length \(headerLength) exceeds \(Self.maximumHeaderLength) bytes")
        }
        guard 8 + Int(headerLength) <= mappedFile.size else {
            throw SafeTensorsError.truncated(path: path, reason: "header length \(headerLength) runs past the end of the \(mappedFile.size)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let dataSize = mappedFile.size - dataStart
        let headerData = Data(bytes: bytes + 8, count: Int(headerLength))
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw SafeTensorsError.malformedHeader(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let header = parsed as? [String: Any] else {
            throw SafeTensorsError.malformedHeader(path: path, reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                guard let strings = value as? [String: Any] else {
                    throw SafeTensorsError.malformedHeader(path: path, reason: "__metadata__ is not an object")
                }
                for (name, text) in strings {
                    guard let text = text as? String else {
                        throw SafeTensorsError.malformedHeader(path: path, reason: "__metadata__ value '\(name)' is not a string")
                    }
                    metadata[name] = text
                }
                continue
            }
            entries[key] = try Self.parseEntry(key: key, value: value, dataSize: dataSize, path: path)
        }
        // Spans must not overlap (the format lays tensors out back to back).
        let spans = entries.filter { !$0.value.byteRange.isEmpty }
            .sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (previous, next) in zip(spans, spans.dropFirst()) where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw SafeTensorsError.invalidEntry(path: path, key: next.key, reason: "its data overlaps tensor '\(previous.key)'")
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func parseEntry(key: String, value: Any, dataSize: Int, path: String) throws -> Entry {
        guard let object = value as? [String: Any] else {
            throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "the entry is not an object")
        }
        guard let dtypeName = object["dtype"] as? String else {
            throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "missing 'dtype'")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(path: path, key: key, dtype: dtypeName)
        }
        guard let shapeValues = object["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "'shape' is not a list of non-negative integers")
        }
        guard let offsetValues = object["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
            throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "'data_offsets' is not a pair of integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else {
            throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "data_offsets [\(begin), \(end)] are not ordered")
        }
        guard end <= dataSize else {
            throw SafeTensorsError.truncated(path: path, reason: "tensor '\(key)' ends at byte \(end) of a \(dataSize)-byte data section")
        }
        var elements = 1
        for extent in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw SafeTensorsError.invalidEntry(path: path, key: key, reason: "shape \(shape) overflows") }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, byteCount == end - begin else {
            throw SafeTensorsError.invalidEntry(path: path, key: key,
                reason: "shape \(shape) of \(dtype.rawValue) needs \(elements) x \(dtype.size) bytes but data_offsets span \(end - begin)")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            // Only JSON integers: not booleans, not 1.0 (NSNumber's type code tells them apart).
            guard let number = value as? NSNumber, let integer = value as? Int,
                  "qlisQLISc".contains(String(cString: number.objCType)) && String(cString: number.objCType) != "c"
            else { return nil }
            result.append(integer)
        }
        return result
    }

    /// The header entry of `key`, or an error naming the file and key.
    public func entry(_ key: String) throws -> Entry {
        guard let entry = entries[key] else { throw SafeTensorsError.missingTensor(path: path, key: key) }
        return entry
    }

    /// A floating-point tensor as float32 (F32 in place when aligned, F16/BF16/F64 converted).
    public func tensor(_ key: String) throws -> Tensor {
        let entry = try entry(key)
        guard entry.dtype.isFloatingPoint else {
            throw SafeTensorsError.unsupportedDType(path: path, key: key, dtype: entry.dtype.rawValue, expected: "a floating-point tensor (F32, F16, BF16, F64)")
        }
        let count = entry.shape.reduce(1, *)
        guard count > 0, let base = file.bytes else { return Tensor(uninitializedShape: entry.shape) }
        let source = base + dataStart + entry.byteRange.lowerBound
        switch entry.dtype {
        case .float32:
            if Int(bitPattern: source) % MemoryLayout<Float>.alignment == 0 {
                let storage = TensorStorage(borrowing: source.assumingMemoryBound(to: Float.self), count: count, owner: file)
                return Tensor(shape: entry.shape, storage: storage)
            }
            let result = Tensor(uninitializedShape: entry.shape)
            UnsafeMutableRawPointer(result.pointer).copyMemory(from: source, byteCount: count * 4)
            return result
        case .float16:
            return convert(source, count: count, shape: entry.shape) { raw, index in
                float16BitsToFloat(raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian)
            }
        case .bfloat16:
            return convert(source, count: count, shape: entry.shape) { raw, index in
                Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian) << 16)
            }
        default:
            return convert(source, count: count, shape: entry.shape) { raw, index in
                Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian))
            }
        }
    }

    /// A floating-point tensor for a weight matrix kept in half precision (``Precision/bf16``):
    /// F16 and BF16 data stay as stored, memory-mapped in place when 2-byte aligned (the GEMM
    /// rounds F16 to bf16 once, while packing); F32 and F64 are rounded to bfloat16.
    public func halfPrecisionTensor(_ key: String) throws -> Tensor {
        let entry = try entry(key)
        let count = entry.shape.reduce(1, *)
        guard entry.dtype == .float16 || entry.dtype == .bfloat16, count > 0, let base = file.bytes else {
            return try tensor(key).converted(to: .bfloat16)
        }
        let dtype: DType = entry.dtype == .float16 ? .float16 : .bfloat16
        let source = base + dataStart + entry.byteRange.lowerBound
        if Int(bitPattern: source) % 2 == 0 {
            return Tensor(shape: entry.shape, storage: TensorStorage(borrowingRaw: source, count: count, dtype: dtype, owner: file))
        }
        let storage = TensorStorage(uninitializedCount: count, dtype: dtype)
        storage.rawPointer.copyMemory(from: source, byteCount: count * 2)
        return Tensor(shape: entry.shape, storage: storage)
    }

    /// Drops the resident memory pages of `key`'s data (see ``MappedFile/releasePages(_:)``):
    /// called once a weight has been packed from the mapping, so that a bf16 model's resident
    /// memory is its packed weights rather than those plus the checkpoint's pages.
    public func releasePages(of key: String) {
        guard let entry = entries[key] else { return }
        file.releasePages(dataStart + entry.byteRange.lowerBound ..< dataStart + entry.byteRange.upperBound)
    }

    private func convert(_ source: UnsafeMutableRawPointer, count: Int, shape: [Int],
                         _ element: (UnsafeMutableRawPointer, Int) -> Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let sourceBox = UncheckedSendable(source), destination = UncheckedSendable(result.pointer)
        parallelRanges(count, minimumPerTask: 65536) { range in
            for index in range { destination.value[index] = element(sourceBox.value, index) }
        }
        return result
    }

    /// An I64 or I32 tensor, widened to Int64.
    public func integerTensor(_ key: String) throws -> IntegerTensor {
        let entry = try entry(key)
        guard entry.dtype.isInteger else {
            throw SafeTensorsError.unsupportedDType(path: path, key: key, dtype: entry.dtype.rawValue, expected: "an integer tensor (I64, I32)")
        }
        let count = entry.shape.reduce(1, *)
        guard count > 0, let base = file.bytes else { return IntegerTensor(shape: entry.shape, values: []) }
        let source = UnsafeRawPointer(base + dataStart + entry.byteRange.lowerBound)
        let values: [Int64] = (0..<count).map { index in
            entry.dtype == .int64
                ? Int64(littleEndian: source.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                : Int64(Int32(littleEndian: source.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
        }
        return IntegerTensor(shape: entry.shape, values: values)
    }
}
