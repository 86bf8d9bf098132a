import Foundation
import TensorRuntime

/// One network run with the raw semantics of its diffusers/transformers module (no scaling
/// factor, no clamping), reading inputs from and writing outputs to safetensors files. This is
/// what `semantic-draw forward` does; it lets users compare a model against another
/// implementation tensor by tensor.
///
/// | component | inputs | outputs |
/// |---|---|---|
/// | `text-encoder` | `input_ids` [B,L] I64 or I32 | `last_hidden_state` [B,L,D], `penultimate_hidden_state` [B,L,D], `pooler_output` [B,D], `text_embeds` [B,P] (with a projection) |
/// | `text-encoder-2` | as `text-encoder`, from `text_encoder_2/` | as `text-encoder` |
/// | `unet` | `sample` [B,4,h,w], `timestep` [B] or [] (F32 or I64), `encoder_hidden_states` [B,S,D]; SDXL also `text_embeds` [B,T], `time_ids` [B,6] | `sample` |
/// | `transformer` | `hidden_states` [B,C,h,w], `encoder_hidden_states` [B,S,J], `pooled_projections` [B,P], `timestep` [B] or [] (F32 or I64) | `sample` [B,C,h,w] |
/// | `vae-encode` | `images` [B,3,H,W] in [-1,1] | `latent_dist_mean` [B,C,h,w] (unscaled) |
/// | `vae-decode` | `latents` [B,C,h,w] (unscaled) | `sample` [B,3,H,W] |
/// | `taesd-encode` | `images` [B,3,H,W] in [-1,1] | `latents` |
/// | `taesd-decode` | `latents` | `sample` ([-1,1]) |
public enum NetworkComponent: String, CaseIterable, Sendable {
    case textEncoder = "text-encoder"
    /// SDXL's second text encoder (`text_encoder_2/`, `CLIPTextModelWithProjection`).
    case textEncoder2 = "text-encoder-2"
    case unet
    /// SD3's MMDiT (`transformer/`, `SD3Transformer2DModel`).
    case transformer
    case vaeEncode = "vae-encode"
    case vaeDecode = "vae-decode"
    case taesdEncode = "taesd-encode"
    case taesdDecode = "taesd-decode"

    /// The input tensor names, in the order of the table (`unet`: the ones every UNet needs;
    /// see ``textTimeInputNames``).
    public var inputNames: [String] {
        switch self {
        case .textEncoder, .textEncoder2: return ["input_ids"]
        case .unet: return ["sample", "timestep", "encoder_hidden_states"]
        case .transformer: return ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep"]
        case .vaeEncode, .taesdEncode: return ["images"]
        case .vaeDecode, .taesdDecode: return ["latents"]
        }
    }

    /// Loads the network from `model`, with `loras` fused into it (only `unet` and
    /// `text-encoder` accept them), and runs it on the tensors of `inputs`.
    ///
    /// `model` is a folder (the component's own or a pipeline's), or a single-file LDM
    /// checkpoint (`.safetensors`, see ``SingleFileCheckpoint``) for `unet`, `text-encoder`,
    /// `vae-encode` and `vae-decode`, or an SD3 single file (``SD3SingleFileCheckpoint``) for
    /// `transformer`, `text-encoder`, `text-encoder-2`, `vae-encode` and `vae-decode` (a network
    /// the file lacks comes from `configurationFolder`): only that network is read, with the configurations of
    /// `configurationFolder` (a diffusers folder, `--config DIR`) or, when nil, the built-in ones
    /// of the detected architecture. `configurationFolder` with a folder `model` is an error.
    public func run(model: String, configurationFolder: String? = nil, inputs: SafeTensorsFile,
                    loras: [LoRAReference] = []) throws -> [String: SafeTensorsValue] {
        if !loras.isEmpty && !acceptsLoRAs {
            throw ModelLoadingError.invalidInput(name: "lora", reason: "LoRAs apply to the unet and text-encoder components, not \(rawValue)")
        }
        // A fresh source per load: a single file's mapping is released once its network is
        // built (F16/BF16 weights are copies), not held through the forward pass.
        let source = { try ForwardModelSource(model: model, configurationFolder: configurationFolder) }
        switch self {
        case .textEncoder, .textEncoder2:
            let encoder = try source().textEncoder(subfolder: self == .textEncoder ? "text_encoder" : "text_encoder_2", loras: loras)
            return try Self.textEncoderOutputs(encoder(inputIDs: tokenRows(in: inputs)))
        case .unet:
            let unet = try source().unet(loras: loras)
            let sample = try floatInput("sample", in: inputs)
            let context = try floatInput("encoder_hidden_states", in: inputs)
            let timesteps = try timestepInput(in: inputs)
            let added = try unet.requiresTextTimeInputs ? textTimeInputs(in: inputs) : nil
            return ["sample": .float32(try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context,
                                                textEmbeds: added?.textEmbeds, timeIDs: added?.timeIDs))]
        case .transformer:
            let transformer = try source().transformer(component: rawValue)
            let hiddenStates = try floatInput("hidden_states", in: inputs)
            let context = try floatInput("encoder_hidden_states", in: inputs)
            let pooled = try floatInput("pooled_projections", in: inputs)
            let timesteps = try timestepInput(in: inputs)
            return ["sample": .float32(try transformer(hiddenStates: hiddenStates, encoderHiddenStates: context,
                                                       pooledProjections: pooled, timesteps: timesteps))]
        case .vaeEncode:
            let vae = try source().autoencoder()
            return ["latent_dist_mean": .float32(try vae.encode(floatInput("images", in: inputs)))]
        case .vaeDecode:
            let vae = try source().autoencoder()
            return ["sample": .float32(try vae.decode(floatInput("latents", in: inputs)))]
        case .taesdEncode:
            let taesd = try AutoencoderTiny(folder: source().tinyAutoencoderFolder(component: rawValue))
            return ["latents": .float32(try taesd.encode(floatInput("images", in: inputs)))]
        case .taesdDecode:
            let taesd = try AutoencoderTiny(folder: source().tinyAutoencoderFolder(component: rawValue))
            return ["sample": .float32(try taesd.decode(floatInput("latents", in: inputs)))]
        }
    }

    /// The inputs an SDXL UNet (`addition_embed_type: "text_time"`) needs besides ``inputNames``.
    public static let textTimeInputNames = ["text_embeds", "time_ids"]

    /// `text_embeds` and `time_ids` for a UNet that requires them; a missing one names both.
    private func textTimeInputs(in file: SafeTensorsFile) throws -> (textEmbeds: Tensor, timeIDs: Tensor) {
        for name in Self.textTimeInputNames where file.entries[name] == nil {
            throw ModelLoadingError.invalidInput(name: name, reason: "is missing from \(file.path) (this UNet's config has addition_embed_type "
                + "\"text_time\" (SDXL): it needs text_embeds [B, T] and time_ids [B, 6] besides \(inputNames.joined(separator: ", ")))")
        }
        return (try floatInput("text_embeds", in: file), try floatInput("time_ids", in: file))
    }

    /// The outputs of a text encoder under their transformers names.
    private static func textEncoderOutputs(_ output: CLIPTextModel.Output) -> [String: SafeTensorsValue] {
        var outputs: [String: SafeTensorsValue] = [
            "last_hidden_state": .float32(output.lastHiddenState), "pooler_output": .float32(output.pooledOutput),
            "penultimate_hidden_state": .float32(output.penultimateHiddenState),
        ]
        if let textEmbeds = output.textEmbeds { outputs["text_embeds"] = .float32(textEmbeds) }
        return outputs
    }

    /// `input_ids` [B, L] as rows of token ids.
    private func tokenRows(in file: SafeTensorsFile) throws -> [[Int]] {
        let ids = try integerInput("input_ids", in: file)
        guard ids.shape.count == 2 else {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "has shape \(ids.shape) in \(file.path), expected [B, L]")
        }
        let length = ids.shape[1]
        return (0..<ids.shape[0]).map { row in ids.values[(row * length)..<((row + 1) * length)].map { Int($0) } }
    }

    private func entry(_ name: String, in file: SafeTensorsFile) throws -> SafeTensorsFile.Entry {
        guard let entry = file.entries[name] else {
            throw ModelLoadingError.invalidInput(name: name, reason: "is missing from \(file.path) (the \(rawValue) component needs \(inputNames.joined(separator: ", ")))")
        }
        return entry
    }

    private func floatInput(_ name: String, in file: SafeTensorsFile) throws -> Tensor {
        let entry = try entry(name, in: file)
        guard entry.dtype.isFloatingPoint else {
            throw ModelLoadingError.invalidInput(name: name, reason: "has dtype \(entry.dtype.rawValue) in \(file.path), expected F32 (or F16/BF16/F64)")
        }
        do { return try file.tensor(name) } catch let error as SafeTensorsError { throw ModelLoadingError.safeTensors(error) }
    }

    private func integerInput(_ name: String, in file: SafeTensorsFile) throws -> IntegerTensor {
        let entry = try entry(name, in: file)
        guard entry.dtype.isInteger else {
            throw ModelLoadingError.invalidInput(name: name, reason: "has dtype \(entry.dtype.rawValue) in \(file.path), expected I64 or I32")
        }
        do { return try file.integerTensor(name) } catch let error as SafeTensorsError { throw ModelLoadingError.safeTensors(error) }
    }

    private func timestepInput(in file: SafeTensorsFile) throws -> [Float] {
        let entry = try entry("timestep", in: file)
        guard entry.shape.count <= 1 else {
            throw ModelLoadingError.invalidInput(name: "timestep", reason: "has shape \(entry.shape) in \(file.path), expected [B] or []")
        }
        if entry.dtype.isInteger { return try integerInput("timestep", in: file).values.map { Float($0) } }
        return try floatInput("timestep", in: file).scalars
    }
}
