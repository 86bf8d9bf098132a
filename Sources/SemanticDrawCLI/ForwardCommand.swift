import ArgumentParser
import DiffusionModels
import Foundation
import TensorRuntime

/// `semantic-draw forward`: one network on tensors from a safetensors file.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run one network on tensors from a safetensors file (raw diffusers/transformers module semantics).",
        discussion: """
        No scaling factor and no clamping are applied: the outputs are what the diffusers or
        transformers module returns, so they can be compared with another implementation.

        --model is the component's own folder (with config.json) or a pipeline folder that holds
        it as text_encoder/, text_encoder_2/ (SDXL), unet/, transformer/ (SD3) or vae/ (TAESD: its own
        folder, or a pipeline's vae/). For text-encoder, unet, vae-encode and vae-decode it may also be a
        single-file checkpoint (.safetensors in the original Stable Diffusion layout;
        docs/SINGLE_FILE.md): only that network is loaded, with the built-in SD1.5/SD2.1
        configuration or the one of --config DIR.

          component       inputs                                           outputs
          text-encoder    input_ids [B,L] I64 or I32                       last_hidden_state [B,L,D],
                                                                           penultimate_hidden_state [B,L,D],
                                                                           pooler_output [B,D], text_embeds [B,P]
                                                                           (with a text_projection)
          text-encoder-2  as text-encoder (SDXL's text_encoder_2/)         as text-encoder
          unet            sample [B,4,h,w], timestep [B] or [] (F32 or     sample
                          I64), encoder_hidden_states [B,S,D]; SDXL also
                          text_embeds [B,T], time_ids [B,6]
          transformer     hidden_states [B,C,h,w], encoder_hidden_states   sample [B,C,h,w]
                          [B,S,J], pooled_projections [B,P], timestep
                          [B] or [] (F32 or I64; SD3: sigma x 1000)
          vae-encode      images [B,3,H,W] in [-1,1]                       latent_dist_mean [B,C,h,w] (unscaled)
          vae-decode      latents [B,C,h,w] (unscaled)                     sample [B,3,H,W] (about [-1,1])
          taesd-encode    images [B,3,H,W] in [-1,1]                       latents
          taesd-decode    latents                                          sample ([-1,1])
        """
    )

    @Argument(help: "The network: \(NetworkComponent.allCases.map(\.rawValue).joined(separator: ", ")).")
    var component: String

    @Option(help: "Model folder (the component's own folder or a pipeline folder), or a single-file .safetensors checkpoint.")
    var model: String

    @Option(name: .customLong("config"), help: "A diffusers folder whose config files describe the single-file checkpoint given as --model.")
    var configurationFolder: String?

    @Option(help: "safetensors file with the input tensors.")
    var input: String

    @Option(help: "safetensors file to write the outputs to (written atomically).")
    var output: String

    @Option(name: .customLong("lora"), help: "LoRA safetensors file, or a folder holding it (pytorch_lora_weights.safetensors or its only .safetensors file), fused into the unet or text-encoder first (repeatable; see docs/LORA.md).")
    var loras: [String] = []

    @Option(name: .customLong("lora-scale"), help: "Strength of the --lora at the same position (repeatable; default 1).")
    var loraScales: [Float] = []

    @Option(help: Precision.help)
    var precision: Precision = .fp32

    func validate() throws {
        guard NetworkComponent(rawValue: component) != nil else {
            throw ValidationError("unknown component '\(component)'; expected one of \(NetworkComponent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if !loras.isEmpty, NetworkComponent(rawValue: component)?.acceptsLoRAs == false {
            throw ValidationError("--lora applies to the unet and text-encoder components, not \(component)")
        }
        guard loraScales.count <= loras.count else {
            throw ValidationError("\(loraScales.count) --lora-scale values for \(loras.count) --lora files (one scale per LoRA, in order)")
        }
    }

    func run() throws {
        guard let network = NetworkComponent(rawValue: component) else { return }
        let inputs: SafeTensorsFile
        do { inputs = try SafeTensorsFile(path: input) } catch let error as SafeTensorsError { throw CommandFailure(error.description) }
        do {
            let start = Date()
            let references = loras.enumerated().map { LoRAReference(path: $1, scale: $0 < loraScales.count ? loraScales[$0] : 1) }
            let outputs = try ParameterStore.$loadingPrecision.withValue(precision) {
                try network.run(model: model, configurationFolder: configurationFolder, inputs: inputs, loras: references)
            }
            try SafeTensorsWriter.write(outputs, to: output)
            let seconds = Date().timeIntervalSince(start)
            let shapes = outputs.keys.sorted().map { key -> String in
                if case .float32(let tensor) = outputs[key] { return "\(key) \(tensor.shape)" }
                return key
            }
            FileHandle.standardError.write(Data("\(component): wrote \(shapes.joined(separator: ", ")) to \(output) in \(String(format: "%.2f", seconds)) s\n".utf8))
        } catch let error as ModelLoadingError {
            throw CommandFailure(error.description)
        } catch let error as SafeTensorsError {
            throw CommandFailure(error.description)
        } catch let error as LoRAError {
            throw CommandFailure(error.description)
        } catch let error as SingleFileError {
            throw CommandFailure(error.description)
        }
    }
}

/// An error whose message is shown as-is, with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
