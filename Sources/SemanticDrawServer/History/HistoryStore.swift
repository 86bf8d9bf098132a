import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One saved image.
struct HistoryEntry: Sendable, Codable, Equatable {
    var id: String
    var created: String
    var prompts: [String]

    var url: String { "/api/history/\(id).png" }

    var json: [String: Any] { ["id": id, "created": created, "url": url, "prompts": prompts] }
}

/// The history on disk (`<data dir>/history/<id>.png` + `<id>.json`), kept across restarts.
/// An entry is its JSON file (``list()`` reads only those); the PNG is written first, so an
/// entry never lists without its image, and a failed save removes what it wrote: a full or
/// unwritable data folder makes `save` fail with a ``HistoryError`` and leaves nothing behind.
actor HistoryStore {
    let folder: URL
    private let writer: any HistoryFileWriting

    /// A store in `<dataDirectory>/history` (made on ``prepareFolder()`` or the first save).
    init(dataDirectory: String, writer: any HistoryFileWriting = AtomicHistoryFileWriter()) {
        folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("history", isDirectory: true)
        self.writer = writer
    }

    /// Makes the history folder if it is missing.
    nonisolated func prepareFolder() throws(HistoryError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue { return }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .folderUnavailable(path: folder.path, reason: Self.reason(error))
        }
    }

    /// Writes the image and its entry; on failure nothing of it is left.
    func save(png: Data, prompts: [String]) throws(HistoryError) -> HistoryEntry {
        try prepareFolder()
        let now = Date()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let id = formatter.string(from: now) + "-" + UUID().uuidString.prefix(8).lowercased()
        let entry = HistoryEntry(id: id, created: ISO8601DateFormatter().string(from: now), prompts: prompts)
        let imageURL = folder.appendingPathComponent("\(id).png")
        let entryURL = folder.appendingPathComponent("\(id).json")
        do {
            try writer.write(png, to: imageURL)
        } catch {
            throw .writeFailed(path: imageURL.path, reason: Self.reason(error))
        }
        do {
            let json: Data
            do { json = try JSONEncoder().encode(entry) } catch { throw HistoryError.writeFailed(path: entryURL.path, reason: "\(error)") }
            try writer.write(json, to: entryURL)
        } catch {
            try? FileManager.default.removeItem(at: imageURL)
            throw .writeFailed(path: entryURL.path, reason: Self.reason(error))
        }
        return entry
    }

    /// A short reason for a file-system error (the POSIX message where there is one).
    static func reason(_ error: any Error) -> String {
        if let error = error as? HistoryError, case .writeFailed(_, let reason) = error { return reason }
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    /// Entries, newest first.
    func list() -> [HistoryEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let entries = names.filter { $0.hasSuffix(".json") }.compactMap { name -> HistoryEntry? in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return nil }
            return try? JSONDecoder().decode(HistoryEntry.self, from: data)
        }
        return entries.sorted { $0.id > $1.id }
    }

    /// The PNG of entry `id` (ids are checked: no path tricks).
    func png(id: String) -> Data? {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        return FileManager.default.contents(atPath: folder.appendingPathComponent("\(id).png").path)
    }
}
