import Foundation

/// The web app's files (HTML, CSS, JavaScript) from the package resources, read once.
struct WebResources: Sendable {
    struct File: Sendable {
        let data: Data
        let contentType: String
    }

    let files: [String: File]

    /// Loads every file of the `web` resource folder; names are the only paths served.
    init() {
        var files: [String: File] = [:]
        if let folder = Bundle.module.url(forResource: "web", withExtension: nil),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names where !name.hasPrefix(".") {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
                files[name] = File(data: data, contentType: Self.contentType(of: name))
            }
        }
        self.files = files
    }

    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "png": return "image/png"
        case "svg": return "image/svg+xml"
        case "ico": return "image/x-icon"
        default: return "application/octet-stream"
        }
    }
}
