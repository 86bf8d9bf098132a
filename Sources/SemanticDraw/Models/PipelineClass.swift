import Foundation

/// The pipeline class a folder's `model_index.json` names, checked against what this build runs
/// (Stable Diffusion 1.x/2.x and SDXL); SD3 and others are refused by name.
enum PipelineClass {
    /// Families this build cannot run yet, by a fragment of their diffusers class name.
    static let unsupported: [(fragment: String, family: String)] = [
        ("XLImg2Img", "an SDXL image-to-image pipeline"), ("XLInstruct", "an SDXL InstructPix2Pix pipeline"),
        ("StableDiffusion3", "Stable Diffusion 3"), ("Flux", "FLUX"),
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
                path: folder, reason: "a \(match.family) pipeline (\(name) in model_index.json); this build runs Stable Diffusion 1.x, 2.x and XL models")
        }
    }

    /// The family of a pipeline folder: SDXL when `model_index.json` names an XL pipeline or the
    /// folder has `text_encoder_2/`, else SD1.x/SD2.x.
    static func family(folder: String) -> ModelFamily {
        let path = (folder as NSString).appendingPathComponent("model_index.json")
        if let data = FileManager.default.contents(atPath: path),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let name = object["_class_name"] as? String {
            return name.contains("XL") ? .stableDiffusionXL : .stableDiffusion1
        }
        let second = (folder as NSString).appendingPathComponent("text_encoder_2")
        return FileManager.default.fileExists(atPath: second) ? .stableDiffusionXL : .stableDiffusion1
    }
}
