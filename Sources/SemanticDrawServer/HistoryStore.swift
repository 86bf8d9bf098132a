import Foundation

/// One saved image.
struct HistoryEntry: Sendable, Codable, Equatable {
    var id: String
    var created: String
    var prompts: [String]

    var url: String { "/api/history/\(id).png" }

    var json: [String: Any] { ["id": id, "created": created, "url": url, "prompts": prompts] }
}

/// The history on disk (`<data dir>/history/<id>.png` + `<id>.json`), kept across restarts.
actor HistoryStore {
    let folder: URL

    init(dataDirectory: String) throws {
        folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("history", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func save(png: Data, prompts: [String]) throws -> HistoryEntry {
        let now = Date()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let id = formatter.string(from: now) + "-" + UUID().uuidString.prefix(8).lowercased()
        let entry = HistoryEntry(id: id, created: ISO8601DateFormatter().string(from: now), prompts: prompts)
        try png.write(to: folder.appendingPathComponent("\(id).png"), options: .atomic)
        try JSONEncoder().encode(entry).write(to: folder.appendingPathComponent("\(id).json"), options: .atomic)
        return entry
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
