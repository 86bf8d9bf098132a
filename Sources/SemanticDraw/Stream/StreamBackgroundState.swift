import TensorRuntime

/// The background as the stream uses it, resolved from a ``RegionBackground`` by the one-shot
/// pipeline's case table (docs/ALGORITHM.md §4; docs/REFERENCE_PIPELINE.md R1):
/// (a) image + prompt, (b) image only (caption prompt), (c) prompt only: generated as region 0,
/// (d) neither: the white latent with the white prompt. In (a), (b), (d) the background latent
/// fills uncovered weight; the background prompt feeds the prompt-strength interpolation.
struct StreamBackgroundState {
    /// The request it was resolved from.
    let source: RegionBackground
    /// Case (c): the background is generated as region 0.
    let generatesRegion: Bool
    /// The background prompt actually used (the caption or white prompt in (b) and (d)).
    let prompt: PromptInput
    /// The background negative prompt (default the empty prompt).
    let negativePrompt: PromptInput
    /// The clean background latent [1, C, h, w] in (a), (b), (d).
    let latent: Tensor?
    /// The clean bootstrap latent [1, C, h, w] of each bootstrap slot k (mix r = clamp(mix - k, 0, 1)
    /// of white and background; white alone without a background latent).
    let bootstrapLatents: [Tensor]

    /// Resolves `background`; the image is encoded with `encodeImage` unless it is the very
    /// tensor `previous` already encoded.
    static func resolve(_ background: RegionBackground, previous: StreamBackgroundState?, settings: StreamSettings,
                        slotCount: Int, whiteLatent: Tensor, encodeImage: (Tensor) throws -> Tensor) throws -> StreamBackgroundState {
        let generatesRegion = background.isGeneratedAsRegion
        let prompt = background.prompt(captionPrompt: settings.captionPrompt, whitePrompt: settings.whitePrompt)
        var latent: Tensor?
        if let image = background.image {
            if let previous, let previousImage = previous.source.image, previousImage.storage === image.storage,
               previousImage.shape == image.shape, let previousLatent = previous.latent {
                latent = previousLatent
            } else {
                guard image.rank == 3, image.shape[2] == 3, image.count > 0 else {
                    throw StreamError.invalidUpdate(name: "background.image", reason: "has shape \(image.shape), expected [H, W, 3]")
                }
                let pixels = RegionPipeline.channelsFirst(image).resizedBicubic(height: settings.height, width: settings.width)
                latent = try encodeImage(pixels)
            }
        } else if !generatesRegion {
            latent = whiteLatent                                             // case (d)
        }
        let bootstrapCount = min(max(settings.bootstrapSteps, 0), slotCount)
        let bootstrapLatents = (0..<bootstrapCount).map { slot -> Tensor in
            guard let latent else { return whiteLatent }
            let ratio = min(1, max(0, settings.bootstrapMix - Float(slot)))
            return whiteLatent * ratio + latent * (1 - ratio)
        }
        return StreamBackgroundState(source: background, generatesRegion: generatesRegion, prompt: prompt,
                                     negativePrompt: background.negativePrompt ?? settings.emptyPrompt,
                                     latent: latent, bootstrapLatents: bootstrapLatents)
    }
}
