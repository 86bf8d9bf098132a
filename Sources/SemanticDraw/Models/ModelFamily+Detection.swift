import DiffusionModels
import Foundation
import TensorRuntime

extension ModelFamily {
    /// The family of the model `name` names (a `--model` value; nil: the default SD1.5 model),
    /// decided before anything is downloaded, so that the preset (and its accelerator LoRA) can
    /// be chosen: tiny-random-sd3, a pipeline folder whose `model_index.json` names an SD3
    /// pipeline (`StableDiffusion3Pipeline`, or that has `transformer/`), a single-file checkpoint
    /// with MMDiT `joint_blocks.*` tensors, or a hub repo id whose
    /// name contains "stable-diffusion-3" (or "sd3") are SD3; tiny-random-xl, a pipeline folder
    /// whose `model_index.json` names an XL pipeline (or that has `text_encoder_2/`), a
    /// single-file checkpoint with SDXL's `conditioner.embedders.*` tensors, or a hub repo id
    /// whose name contains "xl" are SDXL; everything else is SD1.x/SD2.x.
    public static func detect(model name: String?) -> ModelFamily {
        guard let name, let reference = try? ModelReference(parsing: name) else { return .stableDiffusion1 }
        switch reference {
        case .tinyRandom:
            return .stableDiffusion1
        case .tinyRandomXL:
            return .stableDiffusionXL
        case .tinyRandomSD3:
            return .stableDiffusion3
        case .folder(let path):
            return PipelineClass.family(folder: path)
        case .singleFile(let path):
            guard let file = try? SafeTensorsFile(path: path) else { return .stableDiffusion1 }
            if SD3SingleFileCheckpoint.holdsSD3(keys: file.keys) { return .stableDiffusion3 }
            return file.entries.keys.contains { $0.hasPrefix("conditioner.embedders.") } ? .stableDiffusionXL : .stableDiffusion1
        case .hubRepository(let id, _):
            let repositoryName = (id.split(separator: "/").last.map(String.init) ?? id).lowercased()
            if repositoryName.contains("stable-diffusion-3") || repositoryName.contains("sd3") { return .stableDiffusion3 }
            return repositoryName.contains("xl") ? .stableDiffusionXL : .stableDiffusion1
        }
    }
}
