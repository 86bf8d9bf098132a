import Foundation
import TensorRuntime

/// One network run with the raw semantics of its diffusers/transformers module (no scaling
/// factor, no clamping), reading inputs from and writing outputs to safetensors files. This is
/// what `semantic-draw forward` does; it lets users compare a model against another
/// implementation tensor by tensor.
///
/// | component | inputs | outputs |
/// |---|---|---|
/// | `text-encoder` | `input_ids` [B,L] I64 or I32 | `last_hidden_state` [B,L,D], `pooler_output` [B,D] |
/// | `unet` | `sample` [B,4,h,w], `timestep` [B] or [] (F32 or I64), `encoder_hidden_states` [B,S,D] | `sample` |
/// | `vae-encode` | `images` [B,3,H,W] in [-1,1] | `latent_dist_mean` [B,4,h,w] (unscaled) |
/// | `vae-decode` | `latents` [B,4,h,w] (unscaled) | `sample` [B,3,H,W] |
/// | `taesd-encode` | `images` [B,3,H,W] in [-1,1] | `latents` |
/// | `taesd-decode` | `latents` | `sample` ([-1,1]) |
public enum NetworkComponent: String, CaseIterable, Sendable {
    case textEncoder = "text-encoder"
    case unet
    case vaeEncode = "vae-encode"
    case vaeDecode = "vae-decode"
    case taesdEncode = "taesd-encode"
    case taesdDecode = "taesd-decode"

    /// The input tensor names, in the order of the table.
    public var inputNames: [String] {
        switch self {
        case .textEncoder: return ["input_ids"]
        case .unet: return ["sample", "timestep", "encoder_hidden_states"]
        case .vaeEncode, .taesdEncode: return ["images"]
        case .vaeDecode, .taesdDecode: return ["latents"]
        }
    }

    /// Loads the network from `model`, with `loras` fused into it (only `unet` and
    /// `text-encoder` accept them), and runs it on the tensors of `inputs`.
    ///
    /// `model` is a folder (the component's own or a pipeline's), or a single-file LDM
    /// checkpoint (`.safetensors`, see ``SingleFileCheckpoint``) for `unet`, `text-encoder`,
    /// `vae-encode` and `vae-decode`: only that network is read, with the configurations of
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
        case .textEncoder:
            let encoder = try source().textEncoder(loras: loras)
            let ids = try integerInput("input_ids", in: inputs)
            guard ids.shape.count == 2 else {
                throw ModelLoadingError.invalidInput(name: "input_ids", reason: "has shape \(ids.shape) in \(inputs.path), expected [B, L]")
            }
            let length = ids.shape[1]
            let rows = (0..<ids.shape[0]).map { row in ids.values[(row * length)..<((row + 1) * length)].map { Int($0) } }
            let output = try encoder(inputIDs: rows)
            return ["last_hidden_state": .float32(output.lastHiddenState), "pooler_output": .float32(output.pooledOutput)]
        case .unet:
            let unet = try source().unet(loras: loras)
            let sample = try floatInput("sample", in: inputs)
            let context = try floatInput("encoder_hidden_states", in: inputs)
            let timesteps = try timestepInput(in: inputs)
            return ["sample": .float32(try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context))]
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
