import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why one transfer attempt stopped.
enum TransferFailure: Error {
    /// The connection broke or ended early: resume with a Range request.
    case interrupted(String)
    /// The writer failed (disk full): give up and remove the partial file.
    case write(String)
}

extension HubClient {
    /// Downloads one file into the cache (or finds it there) and returns its snapshot path,
    /// `<cache>/models--org--name/snapshots/<commit>/<path>`.
    ///
    /// With a full commit hash as revision and the file cached, no request is made. In offline
    /// mode no request is ever made. Content is written to `blobs/<etag>.incomplete`, resumed with
    /// Range requests when the connection breaks, verified (size; sha256 for LFS files, git blob
    /// sha1 otherwise) and only then renamed to `blobs/<etag>`.
    public func download(repo: String, path: String, revision: String = "main") async throws -> URL {
        try Self.validate(repo: repo)
        if configuration.offline || HubCache.isCommitHash(revision) {
            if let commit = cache.cachedCommit(repo: repo, revision: revision),
               cache.hasSnapshotFile(repo: repo, commit: commit, path: path) {
                return cache.snapshotFileURL(repo: repo, commit: commit, path: path)
            }
            if configuration.offline {
                throw HubError.notCachedOffline(repo: repo, revision: revision, path: path,
                                                cachedRevisions: cache.cachedCommits(repo: repo))
            }
        }
        let metadata = try await metadata(repo: repo, path: path, revision: revision)
        try cache.writeReference(repo: repo, revision: revision, commit: metadata.commit)
        try await fetchBlob(repo: repo, path: path, metadata: metadata)
        return cache.snapshotFileURL(repo: repo, commit: metadata.commit, path: path)
    }

    /// Makes `snapshots/<commit>/<path>` point at a verified `blobs/<etag>`, downloading it if needed.
    func fetchBlob(repo: String, path: String, metadata: HubFileMetadata) async throws {
        let blobURL = cache.blobURL(repo: repo, etag: metadata.etag)
        if FileManager.default.fileExists(atPath: blobURL.path) {
            try cache.linkSnapshotFile(repo: repo, commit: metadata.commit, path: path, etag: metadata.etag)
            return
        }
        let incompleteURL = cache.incompleteBlobURL(repo: repo, etag: metadata.etag)
        do {
            try FileManager.default.createDirectory(
                at: blobURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HubError.cacheFailure(path: blobURL.deletingLastPathComponent().path, reason: error.localizedDescription)
        }

        let meter = ProgressMeter(path: path, totalBytes: metadata.size, handler: progress)
        var lastReason = ""
        var attempt = 0
        while true {
            try Task.checkCancellation()
            var offset = Self.fileSize(incompleteURL)
            if let expected = metadata.size, offset > expected {
                try? FileManager.default.removeItem(at: incompleteURL)
                offset = 0
            }
            if let expected = metadata.size, offset == expected { break }
            do {
                try await transfer(metadata: metadata, repo: repo, path: path, to: incompleteURL,
                                   offset: offset, meter: meter)
                let received = Self.fileSize(incompleteURL)
                guard let expected = metadata.size, received < expected else { break }
                lastReason = "connection closed after \(received) of \(expected) bytes"
            } catch TransferFailure.interrupted(let reason) {
                lastReason = reason
            } catch TransferFailure.write(let reason) {
                try? FileManager.default.removeItem(at: incompleteURL)
                throw HubError.writeFailed(path: path, reason: reason)
            }
            attempt += 1
            if attempt > configuration.maximumResumeAttempts {
                throw HubError.transferFailed(path: path, attempts: attempt, reason: lastReason)
            }
            try await Task.sleep(nanoseconds: UInt64(min(attempt, 5)) * 100_000_000)
        }

        let mismatch: (expected: String, actual: String)?
        do {
            mismatch = try BlobVerifier.mismatch(fileURL: incompleteURL, metadata: metadata)
        } catch {
            try? FileManager.default.removeItem(at: incompleteURL)
            throw HubError.cacheFailure(path: incompleteURL.path, reason: error.localizedDescription)
        }
        if let mismatch {
            try? FileManager.default.removeItem(at: incompleteURL)
            throw HubError.verificationFailed(path: path, expected: mismatch.expected, actual: mismatch.actual)
        }
        if rename(incompleteURL.path, blobURL.path) != 0 {
            throw HubError.cacheFailure(path: blobURL.path, reason: String(cString: strerror(errno)))
        }
        meter.finish(bytesDone: Self.fileSize(blobURL))
        try cache.linkSnapshotFile(repo: repo, commit: metadata.commit, path: path, etag: metadata.etag)
    }

    /// One GET attempt from `offset`, appending to `fileURL`.
    private func transfer(
        metadata: HubFileMetadata, repo: String, path: String, to fileURL: URL, offset: Int64, meter: ProgressMeter
    ) async throws {
        var opened: StreamingResponse
        do {
            opened = try await transport.open(url: metadata.location, method: "GET", range: offset, followRedirects: true)
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            throw TransferFailure.interrupted(Self.describe(error))
        }
        var startOffset = offset
        switch opened.response.statusCode {
        case 206:
            if let range = opened.response.value(forHTTPHeaderField: "Content-Range"),
               !range.hasPrefix("bytes \(offset)-") {
                try? FileManager.default.removeItem(at: fileURL)
                throw TransferFailure.interrupted("the server resumed at the wrong offset (\(range))")
            }
        case 200:
            if offset > 0 {
                // The server ignored the Range header: start over.
                try? FileManager.default.removeItem(at: fileURL)
                startOffset = 0
            }
        case 416:
            try? FileManager.default.removeItem(at: fileURL)
            throw TransferFailure.interrupted("the server could not resume (416)")
        case 500..<600:
            throw TransferFailure.interrupted("HTTP \(opened.response.statusCode)")
        default:
            try checkStatus(opened.response, repo: repo, revision: metadata.commit, path: path, url: opened.url)
            throw HubError.unexpectedStatus(url: opened.url.absoluteString, status: opened.response.statusCode)
        }

        let file: any AppendingFile
        do {
            file = try fileWriter.openForAppending(fileURL)
        } catch {
            throw TransferFailure.write(error.localizedDescription)
        }
        var closed = false
        defer { if !closed { try? file.close() } }
        meter.begin(bytesDone: startOffset)
        do {
            while let event = try await opened.body.next() {
                guard case .bytes(let data) = event else { continue }
                do {
                    try file.write(data)
                } catch {
                    throw TransferFailure.write(error.localizedDescription)
                }
                meter.add(Int64(data.count))
            }
        } catch let failure as TransferFailure {
            throw failure
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            throw TransferFailure.interrupted(Self.describe(error))
        }
        if Task.isCancelled { throw CancellationError() }
        closed = true
        do {
            try file.close()
        } catch {
            throw TransferFailure.write(error.localizedDescription)
        }
    }

    static func fileSize(_ url: URL) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
