import Foundation

/// The pipeline class a folder's `model_index.json` names, checked against what this build runs
/// (Stable Diffusion 1.x/2.x UNets); SDXL, SD3 and others are refused by name.
enum PipelineClass {
    /// Families this build cannot run yet, by a fragment of their diffusers class name.
    static let unsupported: [(fragment: String, family: String)] = [
        ("XL", "Stable Diffusion XL"), ("StableDiffusion3", "Stable Diffusion 3"), ("Flux", "FLUX"),
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
                path: folder, reason: "a \(match.family) pipeline (\(name) in model_index.json); this build runs Stable Diffusion 1.x and 2.x models")
        }
    }
}
