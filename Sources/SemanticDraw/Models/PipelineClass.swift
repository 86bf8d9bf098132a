import Foundation

/// The pipeline class a folder's `model_index.json` names, checked against what this build runs
/// (Stable Diffusion 1.x/2.x, SDXL and SD3/SD3.5 text-to-image); others are refused by name.
enum PipelineClass {
    /// Families this build cannot run yet, by a fragment of their diffusers class name.
    static let unsupported: [(fragment: String, family: String)] = [
        ("XLImg2Img", "an SDXL image-to-image pipeline"), ("XLInstruct", "an SDXL InstructPix2Pix pipeline"),
        ("3Img2Img", "an SD3 image-to-image pipeline"), ("3Inpaint", "an SD3 inpainting pipeline"),
        ("3ControlNet", "an SD3 ControlNet pipeline"), ("PAG", "a perturbed-attention guidance pipeline"), ("Flux", "FLUX"),
        ("Kandinsky", "Kandinsky"), ("PixArt", "PixArt"), ("StableCascade", "Stable Cascade"), ("Upscale", "an upscaler"),
        ("Inpaint", "an inpainting model"), ("Wuerstchen", "Wuerstchen"), ("Sana", "Sana"), ("AuraFlow", "AuraFlow"),
    ]

    /// Throws when `model_index.json` exists and names an unsupported pipeline class.
    static func check(folder: String) throws {
        let path = (folder as NSString).appendingPathComponent("model_index.json")
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = object["_class_name"] as? String else { return }
        if let match = unsupported.first(where: { name.contains($0.fragment) }) {
            throw ModelResolutionError.unsupportedFile(
                path: folder, reason: "a \(match.family) pipeline (\(name) in model_index.json); this build runs Stable Diffusion 1.x, 2.x, XL and 3/3.5 text-to-image models")
        }
    }

    /// The family of a pipeline folder: SD3 when `model_index.json` names an SD3 pipeline
    /// (`StableDiffusion3Pipeline`) or, without one, the folder has `transformer/`; SDXL when it
    /// names an XL pipeline or the folder has `text_encoder_2/`; else SD1.x/SD2.x.
    static func family(folder: String) -> ModelFamily {
        let path = (folder as NSString).appendingPathComponent("model_index.json")
        if let data = FileManager.default.contents(atPath: path),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let name = object["_class_name"] as? String {
            return family(className: name)
        }
        let exists = { (name: String) in FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) }
        if exists("transformer") { return .stableDiffusion3 }
        return exists("text_encoder_2") ? .stableDiffusionXL : .stableDiffusion1
    }

    /// The family of a diffusers pipeline class name (`_class_name` of `model_index.json`).
    static func family(className name: String) -> ModelFamily {
        if name.contains("StableDiffusion3") { return .stableDiffusion3 }
        return name.contains("XL") ? .stableDiffusionXL : .stableDiffusion1
    }
}
