import Foundation
import Testing
@testable import Hub

/// Pieces that need no server: digests (FIPS 180 test vectors, and `git hash-object` for blob
/// ids), environment variables (huggingface_hub 2.4.0 constants.py), file selection.
@Suite("Hub units")
struct HubUnitTests {
    @Test("SHA-256 and SHA-1 match the FIPS 180 test vectors")
    func digests() {
        func sha256(_ text: String) -> String { var digest = SHA256(); digest.update(Array(text.utf8)); return digest.finalizeHex() }
        func sha1(_ text: String) -> String { var digest = SHA1(); digest.update(Array(text.utf8)); return digest.finalizeHex() }
        #expect(sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(sha256(String(repeating: "a", count: 1_000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // `printf 'hello\n' | git hash-object --stdin`
        #expect(sha1("blob 6\u{0}hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a")
        // Split updates give the same digest.
        var split = SHA256()
        split.update(Array("abcdbcdecdefdefgefghfghighijhijk".utf8))
        split.update(Array("ijkljklmklmnlmnomnopnopq".utf8))
        #expect(split.finalizeHex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("environment variables are read as huggingface_hub reads them")
    func environment() throws {
        let defaults = try HubConfiguration.fromEnvironment(["HOME": "/home/someone"])
        #expect(defaults.endpoint.absoluteString == "https://huggingface.co")
        #expect(defaults.cacheDirectory.path == "/home/someone/.cache/huggingface/hub")
        #expect(defaults.token == nil && !defaults.offline)
        let home = try HubConfiguration.fromEnvironment(["HOME": "/h", "HF_HOME": "/data/hf", "HF_HUB_OFFLINE": "1"])
        #expect(home.cacheDirectory.path == "/data/hf/hub" && home.offline)
        let explicit = try HubConfiguration.fromEnvironment([
            "HOME": "/h", "HF_HOME": "/data/hf", "HF_HUB_CACHE": "~/models", "HF_TOKEN": "hf_abc",
            "HF_ENDPOINT": "http://127.0.0.1:8080/", "HF_HUB_OFFLINE": "true",
        ])
        #expect(explicit.cacheDirectory.path == "/h/models")
        #expect(explicit.token == "hf_abc" && explicit.offline)
        #expect(explicit.endpoint.absoluteString == "http://127.0.0.1:8080")
        #expect(try HubConfiguration.fromEnvironment(["HOME": "/h", "XDG_CACHE_HOME": "/xdg"]).cacheDirectory.path == "/xdg/huggingface/hub")
        #expect(throws: HubError.invalidEnvironment(variable: "HF_ENDPOINT", value: "not a url")) {
            _ = try HubConfiguration.fromEnvironment(["HF_ENDPOINT": "not a url"])
        }
    }

    @Test("diffusers selection prefers fp16 safetensors, never .bin when safetensors exist")
    func pipelineSelection() {
        let selected = HubFileSelection.diffusersPipeline.select(from: HubFixture.files.map(\.path)).sorted()
        #expect(selected == HubFixture.pipelineFiles)
        let binOnly = HubFileSelection.diffusersPipeline.select(from: ["model_index.json", "vae/config.json", "vae/diffusion_pytorch_model.bin"])
        #expect(binOnly == ["model_index.json", "vae/config.json", "vae/diffusion_pytorch_model.bin"])
        let sharded = HubFileSelection.diffusersPipeline.select(from: [
            "unet/diffusion_pytorch_model.safetensors.index.json",
            "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
            "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
            "unet/diffusion_pytorch_model.bin.index.json",
            "unet/diffusion_pytorch_model-00001-of-00002.bin",
        ])
        #expect(sharded == [
            "unet/diffusion_pytorch_model.safetensors.index.json",
            "unet/diffusion_pytorch_model-00001-of-00002.safetensors",
            "unet/diffusion_pytorch_model-00002-of-00002.safetensors",
        ])
        #expect(HubFileSelection.patterns(["unet/*.json", "*.txt"]).select(from: HubFixture.files.map(\.path))
            == ["unet/config.json", "tokenizer/merges.txt"])
    }

    @Test("cache names follow huggingface_hub: repo folder, etag normalisation")
    func cacheNames() {
        #expect(HubCache.repoFolderName(repo: "stabilityai/sd-turbo") == "models--stabilityai--sd-turbo")
        #expect(HubCache.repoFolderName(repo: "gpt2") == "models--gpt2")
        #expect(HubFileMetadata.normalizeEtag("W/\"abc\"") == "abc")
        #expect(HubFileMetadata.normalizeEtag("\"abc\"") == "abc")
    }
}
