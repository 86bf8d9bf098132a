import Foundation
import TensorRuntime
import Testing

/// A safetensors file built byte by byte: 8-byte little-endian header length, the header text
/// (optionally padded with spaces), then the data section.
private func rawSafeTensors(header: String, data: [UInt8] = [], padding: Int = 0) -> Data {
    let headerBytes = Array(header.utf8) + Array(repeating: UInt8(ascii: " "), count: padding)
    var bytes = Data()
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: headerBytes)
    bytes.append(contentsOf: data)
    return bytes
}

/// Little-endian bytes of fixed-width integers / floats.
private func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

private func writeRaw(_ data: Data, to path: String) throws {
    try data.write(to: URL(fileURLWithPath: path))
}

@Suite struct SafeTensorsTests {
    // MARK: Round trips through the writer

    @Test func roundTripsFloatAndIntegerTensorsWithMetadata() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("round-trip.safetensors")

        var random = SplitMix64(seed: 1)
        var floats = random.values(2 * 3 * 5)
        floats[0] = -0.0
        floats[1] = .infinity
        floats[2] = -.infinity
        floats[3] = .nan
        floats[4] = .leastNonzeroMagnitude
        floats[5] = .greatestFiniteMagnitude
        let matrix = Tensor(shape: [2, 3, 5], values: floats)
        let scalar = Tensor(shape: [], values: [3.25])
        let longs = IntegerTensor(shape: [5], values: [Int64.min, -1, 0, 1, Int64.max])
        let longScalar = IntegerTensor(shape: [], values: [-42])
        let ints = IntegerTensor(shape: [2, 2], values: [Int64(Int32.min), -7, 0, Int64(Int32.max)])
        let intScalar = IntegerTensor(shape: [], values: [123_456])
        let metadata = ["format": "pt", "note": "ünïcode ✓ \"quoted\""]

        try SafeTensorsWriter.write([
            "matrix": .float32(matrix), "scalar": .float32(scalar),
            "longs": .int64(longs), "long_scalar": .int64(longScalar),
            "ints": .int32(ints), "int_scalar": .int32(intScalar),
        ], metadata: metadata, to: path)

        let file = try SafeTensorsFile(path: path)
        #expect(file.keys == ["int_scalar", "ints", "long_scalar", "longs", "matrix", "scalar"])
        #expect(file.metadata == metadata)
        #expect(file.entries["matrix"]?.dtype == .float32)
        #expect(file.entries["scalar"]?.shape == [])
        #expect(file.entries["longs"]?.dtype == .int64)
        #expect(file.entries["long_scalar"]?.dtype == .int64)
        #expect(file.entries["ints"]?.dtype == .int32)
        #expect(file.entries["int_scalar"]?.dtype == .int32)

        let readMatrix = try file.tensor("matrix")
        #expect(readMatrix.shape == [2, 3, 5])
        #expect(readMatrix.scalars.map(\.bitPattern) == floats.map(\.bitPattern))
        let readScalar = try file.tensor("scalar")
        #expect(readScalar.shape == [])
        #expect(readScalar.scalars == [3.25])
        #expect(try file.integerTensor("longs") == longs)
        #expect(try file.integerTensor("long_scalar") == longScalar)
        #expect(try file.integerTensor("ints") == ints)
        #expect(try file.integerTensor("int_scalar") == intScalar)

        // The header is padded so that the data section (and so every F32 tensor) is aligned.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + Int(headerLength) + 4 * 30 + 4 + 8 * 5 + 8 + 4 * 4 + 4)
    }

    /// Zero-element tensors (shape with a 0 extent) have empty data_offsets [o, o], which the
    /// format allows and the writer produces. An empty span [o, o) next to a non-empty span
    /// starting at the same o is not an overlap, whichever order the overlap check sorts them in
    /// (six pairs, so both orders occur whatever the dictionary order).
    @Test func roundTripsZeroElementTensors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("empty.safetensors")
        var tensors: [String: SafeTensorsValue] = [:]
        for index in 0..<6 {
            tensors["t\(index)a_empty"] = .float32(Tensor(shape: [0, 4], values: []))
            tensors["t\(index)b_full"] = .float32(Tensor(shape: [2], values: [Float(index), -1]))
        }
        tensors["z_empty_ints"] = .int64(IntegerTensor(shape: [3, 0], values: []))
        try SafeTensorsWriter.write(tensors, to: path)
        do {
            let file = try SafeTensorsFile(path: path)
            #expect(file.keys.count == 13)
            for index in 0..<6 {
                let empty = try file.tensor("t\(index)a_empty")
                #expect(empty.shape == [0, 4] && empty.count == 0)
                #expect(try file.tensor("t\(index)b_full").scalars == [Float(index), -1])
            }
            #expect(try file.integerTensor("z_empty_ints") == IntegerTensor(shape: [3, 0], values: []))
        }
    }

    @Test func writerRejectsInt32Overflow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("overflow.safetensors")
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(["too_big": .int32(IntegerTensor(shape: [2], values: [1, Int64(Int32.max) + 1]))], to: path)
        }
        guard case .writeFailed(let failedPath, _)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(failedPath == path)
        #expect(String(describing: error!).contains("too_big"))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    // MARK: Hand-built files of other dtypes

    @Test func readsFloat16Exactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("f16.safetensors")
        let cases: [(bits: UInt16, value: Float)] = [
            (0x0000, 0), (0x8000, -0.0), (0x0001, 0x1p-24), (0x8001, -0x1p-24), (0x03FF, 1023 * 0x1p-24),
            (0x0400, 0x1p-14), (0x3C00, 1), (0xC000, -2), (0x3555, 0.333251953125), (0x7BFF, 65504),
            (0xFBFF, -65504), (0x7C00, .infinity), (0xFC00, -.infinity), (0x3C01, 1.0009765625),
            (0x0200, 0x1p-15), (0x5640, 100), (0x7E00, .nan),
        ]
        let data = littleEndianBytes(cases.map(\.bits))
        let header = #"{"h":{"dtype":"F16","shape":[\#(cases.count)],"data_offsets":[0,\#(data.count)]}}"#
        try writeRaw(rawSafeTensors(header: header, data: data), to: path)

        let file = try SafeTensorsFile(path: path)
        // Kept in half precision (mapped in place) it widens to the same values (F16C path).
        let half = try file.halfPrecisionTensor("h")
        #expect(half.dtype == .float16)
        for tensor in [try file.tensor("h"), half] {
        #expect(tensor.shape == [cases.count])
        for (index, testCase) in cases.enumerated() {
            let actual = tensor.scalars[index]
            if testCase.value.isNaN {
                #expect(actual.isNaN, "F16 bits \(String(testCase.bits, radix: 16)) should be NaN")
            } else {
                #expect(actual.bitPattern == testCase.value.bitPattern,
                        "F16 bits \(String(testCase.bits, radix: 16)): \(actual), expected \(testCase.value)")
            }
        }
        }
    }

    @Test func readsBFloat16Exactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bf16.safetensors")
        let cases: [(bits: UInt16, value: Float)] = [
            (0x0000, 0), (0x8000, -0.0), (0x3F80, 1), (0xC049, -3.140625), (0x0001, Float(bitPattern: 0x0001_0000)),
            (0x0080, .leastNormalMagnitude), (0x7F7F, Float(bitPattern: 0x7F7F_0000)), (0x7F80, .infinity),
            (0xFF80, -.infinity), (0x4049, 3.140625), (0x7FC0, .nan),
        ]
        let data = littleEndianBytes(cases.map(\.bits))
        let header = #"{"b":{"dtype":"BF16","shape":[\#(cases.count)],"data_offsets":[0,\#(data.count)]}}"#
        try writeRaw(rawSafeTensors(header: header, data: data), to: path)

        let file = try SafeTensorsFile(path: path)
        let half = try file.halfPrecisionTensor("b")
        #expect(half.dtype == .bfloat16)
        #expect(half.scalars.map(\.bitPattern) == (try file.tensor("b")).scalars.map(\.bitPattern))
        let tensor = try file.tensor("b")
        for (index, testCase) in cases.enumerated() {
            let actual = tensor.scalars[index]
            if testCase.value.isNaN {
                #expect(actual.isNaN)
            } else {
                #expect(actual.bitPattern == testCase.value.bitPattern,
                        "BF16 bits \(String(testCase.bits, radix: 16)): \(actual), expected \(testCase.value)")
            }
        }
        #expect(tensor.scalars[6] == 3.3895314e38)
    }

    @Test func readsFloat64ConvertedToFloat32() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("f64.safetensors")
        let values: [Double] = [1.5, -0.25, 1e-3, 1e300, -1e300, -0.0, 65504.5, .leastNonzeroMagnitude, 0.1, -123456789.123]
        let data = littleEndianBytes(values.map(\.bitPattern))
        let header = #"{"d":{"dtype":"F64","shape":[2,5],"data_offsets":[0,\#(data.count)]}}"#
        try writeRaw(rawSafeTensors(header: header, data: data), to: path)

        let tensor = try SafeTensorsFile(path: path).tensor("d")
        #expect(tensor.shape == [2, 5])
        #expect(tensor.scalars.map(\.bitPattern) == values.map { Float($0).bitPattern })
        #expect(tensor.scalars[3] == .infinity)
        #expect(tensor.scalars[5].sign == .minus && tensor.scalars[5] == 0)
    }

    @Test func readsUnalignedFloat32AndInt32Entries() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("unaligned.safetensors")
        // Data section starting at an odd address: F32 cannot be used in place and is copied.
        let floats: [Float] = [1.5, -2.25, .pi, -0.0, Float(bitPattern: 0x0001_16C2)]  // a subnormal (about 1e-40)
        let ints: [Int32] = [-5, Int32.max, Int32.min]
        let data = littleEndianBytes(ints) + littleEndianBytes(floats.map(\.bitPattern))
        var header = #"{"i":{"dtype":"I32","shape":[3],"data_offsets":[0,12]},"#
        header += #""f":{"dtype":"F32","shape":[5],"data_offsets":[12,32]}}"#
        let padding = (8 + header.utf8.count) % 2 == 0 ? 1 : 0
        try writeRaw(rawSafeTensors(header: header, data: data, padding: padding), to: path)

        let file = try SafeTensorsFile(path: path)
        #expect(try file.tensor("f").scalars.map(\.bitPattern) == floats.map(\.bitPattern))
        #expect(try file.integerTensor("i").values == ints.map { Int64($0) })
    }

    @Test func replacingAFileKeepsOpenMappingsIntact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("replaced.safetensors")
        try SafeTensorsWriter.write(["x": .float32(Tensor(shape: [3], values: [1, 2, 3]))], to: path)
        let old = try SafeTensorsFile(path: path)
        let oldTensor = try old.tensor("x")
        try SafeTensorsWriter.write(["y": .float32(Tensor(shape: [1], values: [9]))], to: path)
        // The writer renames a new file into place: the old mapping still sees the old data.
        #expect(oldTensor.scalars == [1, 2, 3])
        #expect(try old.tensor("x").scalars == [1, 2, 3])
        let new = try SafeTensorsFile(path: path)
        #expect(new.keys == ["y"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["replaced.safetensors"])
    }

    // MARK: Malformed files

    /// Writes `data`, opens it, and returns the error (recording an issue when none is thrown).
    private func openError(_ data: Data, in directory: TemporaryDirectory, name: String = "bad.safetensors",
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> (SafeTensorsError?, String) {
        let path = directory.file(name)
        try writeRaw(data, to: path)
        let error = #expect(throws: SafeTensorsError.self, sourceLocation: sourceLocation) { try SafeTensorsFile(path: path) }
        if let error {
            #expect(String(describing: error).contains(path), "message does not name the file: \(error)", sourceLocation: sourceLocation)
        }
        return (error, path)
    }

    @Test func emptyFileIsTruncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(Data(), in: directory)
        #expect(error == .truncated(path: path, reason: "0 bytes, shorter than the 8-byte header length"))
    }

    @Test func fileShorterThanEightBytesIsTruncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(Data([2, 0, 0, 0, 0]), in: directory)
        #expect(error == .truncated(path: path, reason: "5 bytes, shorter than the 8-byte header length"))
    }

    @Test func headerLengthPastTheEndIsTruncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var data = Data()
        withUnsafeBytes(of: UInt64(1000).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array("{}          ".utf8))
        let (error, path) = try openError(data, in: directory)
        #expect(error == .truncated(path: path, reason: "header length 1000 runs past the end of the 20-byte file"))
    }

    @Test func hugeHeaderLengthIsMalformed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for length in [UInt64(200_000_000), UInt64.max] {
            var data = Data()
            withUnsafeBytes(of: length.littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array("{}".utf8))
            let (error, _) = try openError(data, in: directory)
            guard case .malformedHeader(_, let reason)? = error else {
                Issue.record("expected malformedHeader, got \(String(describing: error))")
                continue
            }
            #expect(reason.contains("\(length)") && reason.contains("exceeds"))
        }
    }

    @Test func headerThatIsNotJSONIsMalformed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(rawSafeTensors(header: "{not json"), in: directory)
        guard case .malformedHeader(let errorPath, let reason)? = error else {
            Issue.record("expected malformedHeader, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(reason.contains("not valid JSON"))
    }

    @Test func headerThatIsNotAnObjectIsMalformed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(rawSafeTensors(header: "[1, 2]"), in: directory)
        #expect(error == .malformedHeader(path: path, reason: "the header is not a JSON object"))
    }

    @Test func nonStringMetadataIsMalformed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(rawSafeTensors(header: #"{"__metadata__":{"answer":42}}"#), in: directory)
        #expect(error == .malformedHeader(path: path, reason: "__metadata__ value 'answer' is not a string"))
        let (error2, path2) = try openError(rawSafeTensors(header: #"{"__metadata__":[1]}"#), in: directory, name: "bad2.safetensors")
        #expect(error2 == .malformedHeader(path: path2, reason: "__metadata__ is not an object"))
    }

    @Test func unknownDTypeNamesKeyAndDType() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let header = #"{"weird.weight":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}"#
        let (error, path) = try openError(rawSafeTensors(header: header, data: [0, 0, 0, 0]), in: directory)
        #expect(error == .unknownDType(path: path, key: "weird.weight", dtype: "F7"))
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'weird.weight'") && message.contains("'F7'"))
    }

    @Test func shapeAndOffsetsByteCountMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let header = #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#
        let (error, path) = try openError(rawSafeTensors(header: header, data: Array(repeating: 0, count: 24)), in: directory)
        #expect(error == .invalidEntry(path: path, key: "w", reason: "shape [2, 3] of F32 needs 6 x 4 bytes but data_offsets span 20"))
    }

    @Test func offsetsPastTheEndAreTruncated() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[4],"data_offsets":[4,20]}}"#
        let (error, path) = try openError(rawSafeTensors(header: header, data: Array(repeating: 0, count: 12)), in: directory)
        #expect(error == .truncated(path: path, reason: "tensor 'b' ends at byte 20 of a 12-byte data section"))
    }

    @Test func negativeOrUnorderedOffsetsAreInvalid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let negative = #"{"n":{"dtype":"F32","shape":[2],"data_offsets":[-4,4]}}"#
        let (error, path) = try openError(rawSafeTensors(header: negative, data: Array(repeating: 0, count: 8)), in: directory)
        #expect(error == .invalidEntry(path: path, key: "n", reason: "data_offsets [-4, 4] are not ordered"))

        let unordered = #"{"u":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#
        let (error2, path2) = try openError(rawSafeTensors(header: unordered, data: Array(repeating: 0, count: 8)), in: directory,
                                            name: "bad2.safetensors")
        #expect(error2 == .invalidEntry(path: path2, key: "u", reason: "data_offsets [8, 4] are not ordered"))
    }

    @Test func overlappingTensorsAreInvalid() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let header = #"{"first":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"second":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let (error, path) = try openError(rawSafeTensors(header: header, data: Array(repeating: 0, count: 12)), in: directory)
        #expect(error == .invalidEntry(path: path, key: "second", reason: "its data overlaps tensor 'first'"))
    }

    @Test(arguments: [
        (#"{"e":[1,2]}"#, "the entry is not an object"),
        (#"{"e":{"shape":[1],"data_offsets":[0,4]}}"#, "missing 'dtype'"),
        (#"{"e":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "'shape' is not a list of non-negative integers"),
        (#"{"e":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "'shape' is not a list of non-negative integers"),
        (#"{"e":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#, "'shape' is not a list of non-negative integers"),
        (#"{"e":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, "'data_offsets' is not a pair of integers"),
        (#"{"e":{"dtype":"F32","shape":[1]}}"#, "'data_offsets' is not a pair of integers"),
        (#"{"e":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, "shape [4611686018427387904, 4] overflows"),
    ])
    func malformedEntriesAreInvalid(header: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (error, path) = try openError(rawSafeTensors(header: header, data: Array(repeating: 0, count: 8)), in: directory)
        #expect(error == .invalidEntry(path: path, key: "e", reason: reason))
    }

    /// Header integers are JSON integers: booleans and floats, even integral ones such as 1.0,
    /// are refused, as the reference implementation (safetensors' serde parsing) refuses them.
    @Test(arguments: [
        (#"{"e":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, "'shape' is not a list of non-negative integers"),
        (#"{"e":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}"#, "'shape' is not a list of non-negative integers"),
        (#"{"e":{"dtype":"F32","shape":[1],"data_offsets":[0.0,4]}}"#, "'data_offsets' is not a pair of integers"),
        (#"{"e":{"dtype":"F32","shape":[1],"data_offsets":[false,4]}}"#, "'data_offsets' is not a pair of integers"),
    ])
    func nonIntegerJSONNumbersAreInvalid(header: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.safetensors")
        try writeRaw(rawSafeTensors(header: header, data: Array(repeating: 0, count: 8)), to: path)
        do {
            #expect(throws: SafeTensorsError.invalidEntry(path: path, key: "e", reason: reason)) { try SafeTensorsFile(path: path) }
        }
    }

    @Test func lookupErrorsNameFileAndTensor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("lookup.safetensors")
        try SafeTensorsWriter.write([
            "floats": .float32(Tensor(shape: [2], values: [1, 2])),
            "longs": .int64(IntegerTensor(shape: [2], values: [1, 2])),
        ], to: path)
        let u8Path = directory.file("u8.safetensors")
        try writeRaw(rawSafeTensors(header: #"{"bytes":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2]), to: u8Path)
        let file = try SafeTensorsFile(path: path)
        let u8File = try SafeTensorsFile(path: u8Path)

        #expect(throws: SafeTensorsError.missingTensor(path: path, key: "nope")) { try file.tensor("nope") }
        #expect(throws: SafeTensorsError.missingTensor(path: path, key: "nope")) { try file.integerTensor("nope") }
        #expect(throws: SafeTensorsError.missingTensor(path: path, key: "nope")) { try file.entry("nope") }
        let missing = SafeTensorsError.missingTensor(path: path, key: "nope").description
        #expect(missing.contains(path) && missing.contains("'nope'"))

        let floatOfLongs = #expect(throws: SafeTensorsError.self) { try file.tensor("longs") }
        #expect(floatOfLongs == .unsupportedDType(path: path, key: "longs", dtype: "I64",
                                                  expected: "a floating-point tensor (F32, F16, BF16, F64)"))
        let longsOfFloats = #expect(throws: SafeTensorsError.self) { try file.integerTensor("floats") }
        #expect(longsOfFloats == .unsupportedDType(path: path, key: "floats", dtype: "F32", expected: "an integer tensor (I64, I32)"))
        for error in [floatOfLongs, longsOfFloats].compactMap({ $0 }) {
            let message = String(describing: error)
            #expect(message.contains(path) && (message.contains("'longs'") || message.contains("'floats'")), "\(message)")
        }
        #expect(throws: SafeTensorsError.unsupportedDType(path: u8Path, key: "bytes", dtype: "U8",
                                                          expected: "a floating-point tensor (F32, F16, BF16, F64)")) {
            try u8File.tensor("bytes")
        }
        #expect(throws: SafeTensorsError.unsupportedDType(path: u8Path, key: "bytes", dtype: "U8", expected: "an integer tensor (I64, I32)")) {
            try u8File.integerTensor("bytes")
        }
    }

    @Test func nonexistentPathIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("does-not-exist.safetensors")
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: path) }
        #expect(error == .unreadable(path: path, reason: "No such file or directory"))
        #expect(error.map { String(describing: $0).contains(path) } == true)
    }

    @Test func directoryPathIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: directory.path) }
        guard case .unreadable(let path, let reason)? = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(path == directory.path)
        #expect(reason == "not a regular file" || reason == "Is a directory")
    }

    // MARK: Atomic writes

    @Test func writingIntoMissingDirectoryFailsAndLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missingFolder = directory.file("no-such-folder")
        let path = missingFolder + "/out.safetensors"
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(["x": .float32(Tensor(shape: [2], values: [1, 2]))], to: path)
        }
        guard case .writeFailed(let errorPath, _)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(String(describing: error!).contains(path))
        #expect(!FileManager.default.fileExists(atPath: missingFolder))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func writingOverADirectoryFailsAndLeavesNoPartialFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("occupied")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsWriter.write(["x": .float32(Tensor(shape: [2], values: [1, 2]))], to: path)
        }
        guard case .writeFailed(let errorPath, _)? = error else {
            Issue.record("expected writeFailed, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["occupied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
    }
}
