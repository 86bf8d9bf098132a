import Foundation

/// Checks a downloaded file against what the hub announced: size always; for LFS files the
/// SHA-256 (the `X-Linked-Etag`); for git files the git blob SHA-1 (the `ETag`) when it is one.
enum BlobVerifier {
    /// Returns nil when the file matches, else a description of the mismatch.
    static func mismatch(fileURL: URL, metadata: HubFileMetadata) throws -> (expected: String, actual: String)? {
        let attributes = try FileManager.default.attributesOfItem(atPath: fileURL.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        if let expected = metadata.size, expected != size {
            return ("\(expected) bytes", "\(size) bytes")
        }
        let etag = metadata.etag.lowercased()
        if metadata.isLargeFileStorage, etag.count == 64, etag.allSatisfy(\.isHexDigit) {
            var digest = SHA256()
            try forEachChunk(of: fileURL) { digest.update(bytes: $0) }
            let actual = digest.finalizeHex()
            return actual == etag ? nil : ("sha256 \(etag)", "sha256 \(actual)")
        }
        if !metadata.isLargeFileStorage, etag.count == 40, etag.allSatisfy(\.isHexDigit) {
            var digest = SHA1()
            digest.update(Array("blob \(size)\u{0}".utf8))
            try forEachChunk(of: fileURL) { digest.update(bytes: $0) }
            let actual = digest.finalizeHex()
            return actual == etag ? nil : ("git blob sha1 \(etag)", "git blob sha1 \(actual)")
        }
        return nil
    }

    /// Reads the file in 4 MiB chunks.
    private static func forEachChunk(of url: URL, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes(body)
        }
    }
}
