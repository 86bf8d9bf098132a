extension RegionBackground {
    /// Case (c) of docs/ALGORITHM.md §4: a prompt and no image, so the background is generated as one
    /// more region (region 0) instead of filling from a background latent.
    public var isGeneratedAsRegion: Bool { image == nil && prompt != nil }

    /// The background prompt in use: the given one, else `captionPrompt` with an image (case b)
    /// or `whitePrompt` without (case d).
    public func prompt(captionPrompt: PromptInput, whitePrompt: PromptInput) -> PromptInput {
        prompt ?? (image != nil ? captionPrompt : whitePrompt)
    }
}
