import Foundation

extension CLIPTokenizer {
    /// The folder of the CLIP ViT-L/14 tokenizer tables shipped with this package
    /// (`openai/clip-vit-large-patch14`, the tokenizer of every SD1.x checkpoint), or nil when
    /// the resource bundle is missing next to the executable.
    public static var bundledCLIPFolder: String? {
        Bundle.module.url(forResource: "clip-vit-large-patch14", withExtension: nil)?.path
    }

    /// The CLIP ViT-L/14 tokenizer shipped with this package: what single-file checkpoints
    /// (which carry no tokenizer) use unless a configuration folder provides one.
    public static func bundledCLIP() throws(TokenizerError) -> CLIPTokenizer {
        try bundledCLIP(padToken: nil)
    }

    /// The bundled CLIP ViT-L/14 tokenizer with another pad token: `"!"` (id 0) gives the
    /// tokenizer of SD2.x checkpoints (`stabilityai/stable-diffusion-2-1` `tokenizer/` is these
    /// tables with `pad_token` `!`), `"<|endoftext|>"` or nil SD1.x's.
    public static func bundledCLIP(padToken: String?) throws(TokenizerError) -> CLIPTokenizer {
        guard let folder = bundledCLIPFolder else { throw .folderNotFound(path: "clip-vit-large-patch14 (package resource)") }
        return try CLIPTokenizer(folder: folder, padToken: padToken)
    }
}
