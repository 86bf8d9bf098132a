import Foundation

/// Where the hub is, where the cache is, and how to talk to the hub.
///
/// `fromEnvironment` reads the same variables as Python's `huggingface_hub` (constants.py), so a
/// cache filled by Python tools is reused as is.
public struct HubConfiguration: Sendable, Equatable {
    /// The hub's base URL (`HF_ENDPOINT`; default `https://huggingface.co`).
    public var endpoint: URL
    /// The cache root holding `models--org--name` folders (`HF_HUB_CACHE`, else `HF_HOME/hub`,
    /// else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`).
    public var cacheDirectory: URL
    /// Sent as `Authorization: Bearer <token>` (`HF_TOKEN`, else the file `HF_HOME/token`).
    public var token: String?
    /// Never make a request; resolve everything from the cache (`HF_HUB_OFFLINE=1`).
    public var offline: Bool
    /// Seconds without any byte from the hub before a request fails. Default 30.
    public var requestTimeout: TimeInterval
    /// How many times a cut download is resumed (with a Range request) before giving up. Default 5.
    public var maximumResumeAttempts: Int

    /// The public hub.
    public static let defaultEndpoint = URL(string: "https://huggingface.co")!

    /// Creates a configuration from explicit values.
    public init(
        endpoint: URL = HubConfiguration.defaultEndpoint,
        cacheDirectory: URL,
        token: String? = nil,
        offline: Bool = false,
        requestTimeout: TimeInterval = 30,
        maximumResumeAttempts: Int = 5
    ) {
        self.endpoint = endpoint
        self.cacheDirectory = cacheDirectory
        self.token = token
        self.offline = offline
        self.requestTimeout = requestTimeout
        self.maximumResumeAttempts = maximumResumeAttempts
    }

    /// Reads `HF_ENDPOINT`, `HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME`, `HF_TOKEN` and
    /// `HF_HUB_OFFLINE` the way `huggingface_hub` does.
    /// - Parameter environment: the variables to read (the process environment by default).
    /// - Throws: `HubError.invalidEnvironment` when `HF_ENDPOINT` is not a URL.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> HubConfiguration {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func expandHome(_ path: String) -> String {
            guard path.hasPrefix("~") else { return path }
            let home = environment["HOME"] ?? NSHomeDirectory()
            return home + path.dropFirst()
        }
        var endpoint = defaultEndpoint
        if let text = value("HF_ENDPOINT") {
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard let url = URL(string: trimmed), url.scheme != nil, url.host != nil else {
                throw HubError.invalidEnvironment(variable: "HF_ENDPOINT", value: text)
            }
            endpoint = url
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let hubHome = value("HF_HOME").map(expandHome)
            ?? ((value("XDG_CACHE_HOME").map(expandHome) ?? home + "/.cache") + "/huggingface")
        let cachePath = value("HF_HUB_CACHE").map(expandHome)
            ?? value("HUGGINGFACE_HUB_CACHE").map(expandHome)
            ?? hubHome + "/hub"
        var token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN")
        if token == nil, let stored = try? String(contentsOfFile: value("HF_TOKEN_PATH").map(expandHome) ?? hubHome + "/token", encoding: .utf8) {
            let trimmed = stored.trimmingCharacters(in: .whitespacesAndNewlines)
            token = trimmed.isEmpty ? nil : trimmed
        }
        let offlineText = (value("HF_HUB_OFFLINE") ?? value("TRANSFORMERS_OFFLINE") ?? "").uppercased()
        let offline = ["1", "ON", "YES", "TRUE"].contains(offlineText)
        return HubConfiguration(
            endpoint: endpoint,
            cacheDirectory: URL(fileURLWithPath: cachePath, isDirectory: true),
            token: token,
            offline: offline
        )
    }
}
