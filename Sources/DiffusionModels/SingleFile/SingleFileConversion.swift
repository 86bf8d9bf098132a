import TensorRuntime

/// Splits a single-file checkpoint into its three networks (four for SDXL) under
/// diffusers/transformers keys (``LDMUNetKeys``, ``LDMAutoencoderKeys``, ``LDMTextEncoderKeys``),
/// from the header alone.
///
/// Keys that are known not to be network parameters are ignored: the EMA copy (`model_ema.*`),
/// the diffusion schedule buffers (`betas`, `alphas_cumprod`, ...), training counters, and
/// what each text-encoder conversion drops. Any other key that maps to no parameter is an error
/// naming it: loading is strict, as for diffusers folders.
struct SingleFileConversion {
    let unet: ConvertedWeights
    let textEncoder: ConvertedWeights
    /// SDXL's second text encoder (`CLIPTextModelWithProjection` keys); nil for SD1.x/SD2.x.
    let textEncoder2: ConvertedWeights?
    let autoencoder: ConvertedWeights

    /// Root-level buffers of LDM `DDPM`/`LatentDiffusion` checkpoints that are not parameters.
    static let ignoredKeys: Set<String> = [
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
        "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
        "logvar", "lvlb_weights", "global_step", "epoch", "scale_factor",
    ]
    static let ignoredPrefixes = ["model_ema."]

    init(file: SafeTensorsFile, architecture: StableDiffusionArchitecture, configurations: SingleFileConfigurations) throws {
        let unetKeys = LDMUNetKeys(configuration: configurations.unet)
        let autoencoderKeys = LDMAutoencoderKeys(blockCount: configurations.autoencoder.blockOutChannels.count)
        let textKeys = LDMTextEncoderKeys(architecture: architecture, layerCount: configurations.textEncoder.hiddenLayerCount)
        let secondTextKeys: LDMTextEncoderKeys? = architecture == .stableDiffusionXL ? .sdxlSecond : nil
        var unet: [String: ConvertedTensor] = [:], text: [String: ConvertedTensor] = [:], autoencoder: [String: ConvertedTensor] = [:]
        var secondText: [String: ConvertedTensor] = [:]
        var unknown: [String] = []
        for key in file.keys {
            if Self.ignoredKeys.contains(key) || Self.ignoredPrefixes.contains(where: key.hasPrefix) { continue }
            let shape = file.entries[key]?.shape ?? []
            let converted: [String: ConvertedTensor]?
            if key.hasPrefix(SingleFileLayout.unetPrefix) {
                converted = unetKeys.convert(String(key.dropFirst(SingleFileLayout.unetPrefix.count)), sourceKey: key, shape: shape)
                converted.map { unet.merge($0) { first, _ in first } }
            } else if key.hasPrefix(SingleFileLayout.autoencoderPrefix) {
                converted = autoencoderKeys.convert(String(key.dropFirst(SingleFileLayout.autoencoderPrefix.count)), sourceKey: key, shape: shape)
                converted.map { autoencoder.merge($0) { first, _ in first } }
            } else if key.hasPrefix(textKeys.prefix) {
                converted = try textKeys.convert(String(key.dropFirst(textKeys.prefix.count)), sourceKey: key, shape: shape, path: file.path)
                converted.map { text.merge($0) { first, _ in first } }
            } else if let secondTextKeys, key.hasPrefix(secondTextKeys.prefix) {
                converted = try secondTextKeys.convert(String(key.dropFirst(secondTextKeys.prefix.count)), sourceKey: key, shape: shape, path: file.path)
                converted.map { secondText.merge($0) { first, _ in first } }
            } else {
                converted = nil
            }
            if converted == nil { unknown.append(key) }
        }
        if !unknown.isEmpty { throw SingleFileError.unknownKeys(path: file.path, keys: unknown) }
        self.unet = ConvertedWeights(file: file, component: "unet", tensors: unet)
        textEncoder = ConvertedWeights(file: file, component: "text_encoder", tensors: text)
        textEncoder2 = secondTextKeys == nil ? nil : ConvertedWeights(file: file, component: "text_encoder_2", tensors: secondText)
        self.autoencoder = ConvertedWeights(file: file, component: "vae", tensors: autoencoder)
    }
}
