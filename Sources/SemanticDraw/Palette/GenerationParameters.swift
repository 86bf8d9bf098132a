import Foundation
import Schedulers

/// How an image was made, in the text format AUTOMATIC1111's web UI writes under the PNG keyword
/// `parameters` (its `create_infotext`), which A1111, ComfyUI, Civitai and other image sites
/// read: the prompt, a `Negative prompt: ` line when there is one, then one line of
/// `Key: value` settings separated by ", ". A value holding ",", ":" or a line break is written
/// as a JSON string (A1111's `quote`), so the settings line splits back unambiguously.
public struct GenerationParameters: Sendable, Equatable {
    /// The PNG text keyword A1111 writes and reads.
    public static let pngTextKeyword = "parameters"

    /// One `Key: value` of the settings line.
    public struct Setting: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public var prompt: String
    /// Written as a `Negative prompt: ` line when not empty.
    public var negativePrompt: String
    /// The settings line, in order.
    public var settings: [Setting]

    public init(prompt: String, negativePrompt: String = "", settings: [Setting]) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.settings = settings
    }

    /// The text of the `parameters` chunk.
    public var text: String {
        var lines = [prompt]
        if !negativePrompt.isEmpty { lines.append("Negative prompt: " + negativePrompt) }
        lines.append(settings.map { "\($0.key): \(Self.quoted($0.value))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// `value` as A1111's `quote` writes it: unchanged without ",", ":" and line breaks, else as
    /// a JSON string literal (non-ASCII characters kept, as `json.dumps(..., ensure_ascii=False)`).
    public static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == ":" || $0 == "\n" }) else { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A number as A1111 writes settings: integral values without a fraction ("7"), others in
    /// their shortest form ("7.5", "0.9").
    public static func number(_ value: Float) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : "\(value)"
    }

    /// A scheduler as A1111 names samplers: LCM, DDIM, Euler, TCD, the flow-matching Euler and Flash ("the model's scheduler" when
    /// the choice leaves it to the model's configuration).
    public static func samplerName(_ choice: SchedulerChoice) -> String {
        switch choice.kind {
        case .lcm?: "LCM"
        case .ddim?: "DDIM"
        case .euler?: "Euler"
        case .tcd?: "TCD"
        case .flowMatchEuler?: "Euler (flow matching)"
        case .flashFlowMatchEuler?: "Flash (flow matching)"
        case nil: "the model's scheduler"
        }
    }

    /// A model, LoRA or autoencoder name for display: a local path's last component (so no
    /// folders of this machine end up in shared images); repo ids and built-in names unchanged.
    public static func displayName(_ name: String) -> String {
        guard name.hasPrefix("/") || name.hasPrefix("~") || name.hasPrefix(".") else { return name }
        return (name as NSString).lastPathComponent
    }
}
