import ArgumentParser
import SemanticDraw

/// `semantic-draw download MODEL`: fetches a model and its add-ons into the Hugging Face cache.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Pre-fetch a model (and --lora / --tiny-vae add-ons) into the Hugging Face cache.",
        discussion: """
        With no MODEL, fetches the default set: KBlueLeaf/kohaku-v2.1, latent-consistency/lcm-lora-sdv1-5 and \
        madebyollin/taesd. Honours HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN and HF_HUB_OFFLINE (docs/HUB.md).
        """
    )

    @Argument(help: "A Hugging Face repo id (org/name[@revision]), a folder or a .safetensors file (default: the default model).")
    var model: String?

    @Option(name: .customLong("lora"), help: "A LoRA repo id or file to fetch too (repeatable).")
    var loras: [String] = []

    @Option(name: .customLong("tiny-vae"), help: "A tiny autoencoder repo id or folder to fetch too.")
    var tinyAutoencoder: String?

    @Flag(help: "Also load the networks once, to check that everything fits together.")
    var verify = false

    func run() async throws {
        var options = try ModelOptions.parse([])
        options.model = model
        options.loras = loras
        options.tinyAutoencoder = tinyAutoencoder
        let loader = ModelLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        let request = try options.request()
        let files = try await HubUnavailableError.explaining(request) { try await loader.fetch(request) }
        for line in files.sources { print(line) }
        print("ready: \(files.base)")
        if verify {
            let model = try loader.build(files)
            for note in model.notes { printError(note) }
            let context = model.components.promptEncoder.textEncoder.configuration.hiddenSize
            print("loaded: \(context)-wide text context, \(model.components.denoiser.latentChannels) latent channels, \(model.components.autoencoder.name)")
        }
    }
}
