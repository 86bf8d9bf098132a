import TensorRuntime

/// The text conditioning of a batch of prompts, in the form a model family's denoiser reads it
/// (docs/ALGORITHM.md §3): the token context every family has, an optional pooled embedding
/// (SDXL, SD3), and optional extra per-sample inputs (SDXL's `time_ids`).
///
/// Every part holds one row per prompt in dimension 0, so rows can be selected, repeated and
/// concatenated together, and prompt strength (the embedding lerp) applies to every part.
public struct TextConditioning: Sendable {
    /// Token embeddings `[N, S, D]` (the UNet's `encoder_hidden_states`).
    public let context: Tensor
    /// Pooled embeddings `[N, P]`, for families that read one.
    public let pooled: Tensor?
    /// Extra per-sample inputs by name (e.g. `time_ids` `[N, 6]`), rows in dimension 0.
    public let extras: [String: Tensor]

    /// Conditioning from its parts; every part must have the same number of rows.
    public init(context: Tensor, pooled: Tensor? = nil, extras: [String: Tensor] = [:]) {
        precondition(pooled.map { $0.shape[0] == context.shape[0] } ?? true, "pooled rows differ from context rows")
        precondition(extras.values.allSatisfy { $0.shape[0] == context.shape[0] }, "extra rows differ from context rows")
        self.context = context
        self.pooled = pooled
        self.extras = extras
    }

    /// The key of SDXL's `time_ids` [N, 6] in ``extras`` (set per view by the denoiser,
    /// ``Denoiser/conditioning(_:placedAt:)``).
    public static let timeIDsKey = "time_ids"

    /// The number of rows (prompts).
    public var count: Int { context.shape[0] }

    /// Rows `start ..< start + length`.
    public func rows(_ start: Int, count length: Int) -> TextConditioning {
        map { $0.slice(outer: start, length: length) }
    }

    /// Row `index`.
    public func row(_ index: Int) -> TextConditioning { rows(index, count: 1) }

    /// `parts` stacked row-wise (every part must have the same kinds of entries).
    public static func concatenated(_ parts: [TextConditioning]) -> TextConditioning {
        precondition(!parts.isEmpty)
        let pooled = parts[0].pooled == nil ? nil : Tensor.concatenateOuter(parts.map { $0.pooled! })
        var extras: [String: Tensor] = [:]
        for key in parts[0].extras.keys {
            extras[key] = Tensor.concatenateOuter(parts.map { $0.extras[key]! })
        }
        return TextConditioning(context: Tensor.concatenateOuter(parts.map(\.context)), pooled: pooled, extras: extras)
    }

    /// The rows repeated `times` times, one block after the other.
    public func repeated(_ times: Int) -> TextConditioning {
        Self.concatenated(Array(repeating: self, count: times))
    }

    /// Prompt strength: `torch.lerp(start, end, weight)` applied to every part
    /// (docs/ALGORITHM.md §3: e_bg + s (e_p - e_bg), conditional and unconditional).
    public static func lerp(_ start: TextConditioning, _ end: TextConditioning, weight: Float) -> TextConditioning {
        let pooled: Tensor? = start.pooled.flatMap { first in end.pooled.map { Tensor.lerp(first, $0, weight: weight) } }
        var extras: [String: Tensor] = [:]
        for (key, value) in start.extras { extras[key] = end.extras[key].map { Tensor.lerp(value, $0, weight: weight) } ?? value }
        return TextConditioning(context: Tensor.lerp(start.context, end.context, weight: weight), pooled: pooled, extras: extras)
    }

    private func map(_ transform: (Tensor) -> Tensor) -> TextConditioning {
        TextConditioning(context: transform(context), pooled: pooled.map(transform), extras: extras.mapValues(transform))
    }
}
