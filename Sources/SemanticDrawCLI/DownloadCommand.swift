import ArgumentParser
import Captioning
import SemanticDraw

/// `semantic-draw download MODEL`: fetches a model and its add-ons into the Hugging Face cache.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Pre-fetch a model (and --lora / --tiny-vae add-ons) into the Hugging Face cache.",
        discussion: """
        With no MODEL, fetches the default set of the accelerator's family: KBlueLeaf/kohaku-v2.1, \
        latent-consistency/lcm-lora-sdv1-5 and madebyollin/taesd (lcm, the default); SDXL base, SDXL-Lightning's \
        4-step UNet and madebyollin/taesdxl (--accelerator lightning); stabilityai/stable-diffusion-3-medium-diffusers \
        (gated: accept its terms and set HF_TOKEN; T5 is not fetched), jasperai/flash-sd3 and madebyollin/taesd3 \
        (--accelerator flash). With a MODEL, the preset's accelerator LoRA for its family comes too (Flash for SD3 \
        repos, Lightning for SDXL ones) unless --accelerator-lora says otherwise. A BLIP-2 captioner \
        (generate --caption-background, serve --captioner; docs/CAPTIONING.md) is fetched with --captioner, or as MODEL \
        when MODEL is a BLIP-2 repo id (a name starting with blip2-, such as Salesforce/blip2-opt-2.7b); then, with no \
        other MODEL, no diffusion model is fetched. Honours HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN and \
        HF_HUB_OFFLINE (docs/HUB.md).
        """
    )

    @Argument(help: "A Hugging Face repo id (org/name[@revision]), a folder or a .safetensors file (default: the default model).")
    var model: String?

    @Option(name: .customLong("lora"), help: "A LoRA repo id or file to fetch too (repeatable).")
    var loras: [String] = []

    @Option(name: .customLong("tiny-vae"), help: "A tiny autoencoder repo id or folder to fetch too.")
    var tinyAutoencoder: String?

    @Option(help: "The accelerator whose preset decides the default model and the accelerator LoRA: lcm, hyper-sd, lightning, flash or none.")
    var accelerator: String?

    @Option(name: .customLong("accelerator-lora"), help: "The accelerator LoRA instead of the preset's (a file, adapter folder, repo id, or none).")
    var acceleratorLoRA: String?

    @Option(help: "A BLIP-2 captioner repo id (or folder) to fetch too, e.g. Salesforce/blip2-opt-2.7b.")
    var captioner: String?

    @Flag(help: "Also load the networks once, to check that everything fits together.")
    var verify = false

    func run() async throws {
        let modelIsCaptioner = model.map(CaptionerLoader.isCaptionerRepository) ?? false
        let captioners = [captioner, modelIsCaptioner ? model : nil].compactMap { $0 }
        for name in captioners { try await fetchCaptioner(name) }
        // A captioner alone (as MODEL, or --captioner without MODEL and add-ons) fetches no diffusion model.
        if !captioners.isEmpty && (modelIsCaptioner || model == nil) && loras.isEmpty && tinyAutoencoder == nil { return }
        var options = try ModelOptions.parse([])
        options.model = modelIsCaptioner ? nil : model
        options.loras = loras
        options.tinyAutoencoder = tinyAutoencoder
        options.accelerator = accelerator
        options.acceleratorLoRA = acceleratorLoRA
        try options.validate()
        let loader = ModelLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        let request = try options.request()
        let files = try await HubUnavailableError.explaining(request) { try await loader.fetch(request) }
        for line in files.sources { print(line) }
        print("ready: \(files.base)")
        if verify {
            let model = try loader.build(files)
            for note in model.notes { printError(note) }
            let context = model.components.promptEncoder.contextDimension
            print("loaded: \(model.components.family.rawValue), \(context)-wide text context, \(model.components.denoiser.latentChannels) latent channels, \(model.components.autoencoder.name)")
        }
    }

    /// Fetches the captioner `name` into the cache (with --verify, loads it once).
    private func fetchCaptioner(_ name: String) async throws {
        let loader = CaptionerLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        guard let folder = try await loader.fetch(name) else {
            print("captioner \(name): built in, nothing to fetch")
            return
        }
        print("captioner \(name): \(folder)")
        print("ready: \(folder)")
        if verify {
            let captioner = try Blip2Captioner(folder: folder)
            let configuration = captioner.model.configuration
            print("loaded: BLIP-2, vision \(configuration.vision.layerCount) layers, Q-Former \(configuration.qformer.layerCount) layers, "
                + "\(configuration.queryTokenCount) queries, OPT \(configuration.text.layerCount) layers x \(configuration.text.hiddenSize), "
                + "tokenizer of \(captioner.tokenizer.vocabularySize) tokens")
        }
    }
}
