import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// The tiny-random model: built in memory from the Mersenne Twister stream, exported as a
/// diffusers folder, and loaded back by the strict loaders with the very same outputs.
///
/// References: the weight values below were printed by torch 2.13.0 from the exported files and
/// regenerated there with `torch.rand` (Tools/check_tiny_random.py, which also compares every
/// network with diffusers 0.42.1 / transformers 5.24.0; see docs/TINY_RANDOM.md). Exported and
/// in-memory networks must agree exactly (max abs error 0): they hold the same float32 weights.
@Suite struct TinyRandomTests {
    /// One shared build (each test that only reads the networks uses it).
    static let model: Result<TinyRandomModel, any Error> = Result { try TinyRandomModel() }

    @Test func buildsInMemory() throws {
        let start = Date()
        let model = try TinyRandomModel()
        let seconds = Date().timeIntervalSince(start)
        print("tiny-random: built in memory in \(String(format: "%.3f", seconds)) s")
        // Timings are reported, not asserted (docs/TINY_RANDOM.md records them).
        #expect(model.unet.configuration.blockOutChannels == [32, 64])
        #expect(model.textEncoder.configuration.vocabularySize == TinyRandomVocabulary.size)
        #expect(model.textEncoder.configuration.endOfTextTokenID == TinyRandomVocabulary.endTokenId)
    }

    @Test func weightsFollowTheTorchRandStreamInSortedKeyOrder() {
        // torch.rand with manual_seed(0) for the first key of the text encoder, scaled by 1/sqrt(32).
        let textEncoder = TinyRandomComponent.textEncoder.weights()
        let positions = textEncoder["embeddings.position_embedding.weight"]
        #expect(positions?.shape == [77, 32])
        #expect(positions.map { Array($0.scalars.prefix(4)) } == [-0.0013234952930361032, 0.094830721616745, -0.1454951912164688, -0.13009686768054962])
        // A bias (0.05 (2u - 1)) and a norm scale (1 + 0.1 (2u - 1)) of the UNet (seed 1).
        let unet = TinyRandomComponent.unet.weights()
        #expect(unet["conv_in.bias"].map { Array($0.scalars.prefix(3)) } == [0.02576315961778164, -0.022068912163376808, -0.00969307404011488])
        #expect(unet["conv_norm_out.weight"].map { Array($0.scalars.prefix(3)) } == [1.0913208723068237, 0.9604597091674805, 1.0445271730422974])
        // Drawing again gives the same tensors.
        let again = TinyRandomComponent.unet.weights()
        #expect(unet.keys.sorted() == again.keys.sorted())
        #expect(unet.allSatisfy { key, tensor in again[key].map { $0.scalars == tensor.scalars } ?? false })
    }

    @Test func latentsAreAnEighthOfTheImage() throws {
        let model = try Self.model.get()
        let images = patternTensor([1, 3, 64, 64]).affine(scale: 2, shift: 0)
        let latents = try model.autoencoder.encode(images)
        #expect(latents.shape == [1, 4, 8, 8])
        #expect(try model.autoencoder.decode(latents).shape == [1, 3, 64, 64])
        #expect(try model.tinyAutoencoder.encode(images).shape == [1, 4, 8, 8])
        #expect(try model.tinyAutoencoder.decode(latents).shape == [1, 3, 64, 64])
        #expect(try TinyRandomModel.autoencoderConfiguration().scalingFactor == 0.18215)
    }

    @Test func exportedFolderLoadsBackWithTheSameOutputs() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = scratch.file("tiny-random")
        try TinyRandomModel.export(to: folder)
        for file in TinyRandomModel.exportedFiles {
            #expect(FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(file)), "\(file)")
        }
        let model = try Self.model.get()

        let ids = [[512] + Array(0..<40) + [513] + Array(repeating: 513, count: 35),
                   [512, 300, 301, 302, 513] + Array(repeating: 513, count: 72)]
        let loadedEncoder = try CLIPTextModel(folder: folder)
        let encoded = try model.textEncoder(inputIDs: ids), reloadedEncoding = try loadedEncoder(inputIDs: ids)
        #expect(encoded.lastHiddenState.scalars == reloadedEncoding.lastHiddenState.scalars)
        #expect(encoded.pooledOutput.scalars == reloadedEncoding.pooledOutput.scalars)

        let sample = patternTensor([2, 4, 8, 8], seed: 3)
        let context = encoded.lastHiddenState
        let loadedUNet = try UNet2DConditionModel(folder: folder)
        let noise = try model.unet(sample: sample, timesteps: [999, 259], encoderHiddenStates: context)
        #expect(noise.shape == [2, 4, 8, 8])
        #expect(noise.scalars.allSatisfy { $0.isFinite })
        #expect(noise.scalars == (try loadedUNet(sample: sample, timesteps: [999, 259], encoderHiddenStates: context)).scalars)

        let images = patternTensor([1, 3, 64, 64], seed: 5)
        let latents = sample.slice(outer: 0, length: 1)
        let loadedAutoencoder = try AutoencoderKL(folder: folder)
        #expect(try model.autoencoder.encode(images).scalars == loadedAutoencoder.encode(images).scalars)
        #expect(try model.autoencoder.decode(latents).scalars == loadedAutoencoder.decode(latents).scalars)
        let loadedTiny = try AutoencoderTiny(folder: (folder as NSString).appendingPathComponent("taesd"))
        #expect(try model.tinyAutoencoder.encode(images).scalars == loadedTiny.encode(images).scalars)
        #expect(try model.tinyAutoencoder.decode(latents).scalars == loadedTiny.decode(latents).scalars)
    }

    @Test func exportedFilesDescribeAStableDiffusionPipeline() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try TinyRandomModel.export(to: scratch.path, overwrite: true)
        func json(_ file: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: scratch.file(file)))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let index = try json("model_index.json")
        #expect(index["_class_name"] as? String == "StableDiffusionPipeline")
        #expect(index["requires_safety_checker"] as? Bool == false)
        #expect(index["unet"] as? [String] == ["diffusers", "UNet2DConditionModel"])
        #expect(index["text_encoder"] as? [String] == ["transformers", "CLIPTextModel"])
        #expect(try json("scheduler/scheduler_config.json")["_class_name"] as? String == "LCMScheduler")
        #expect(try json("text_encoder/config.json")["model_type"] as? String == "clip_text_model")
        #expect(try String(contentsOfFile: scratch.file("tokenizer/merges.txt"), encoding: .utf8) == "#version: 0.2\n")

        // Every byte symbol, with and without </w>, and the two special tokens: 514 distinct ids.
        let vocabulary = try #require(try json("tokenizer/vocab.json") as? [String: Int])
        #expect(vocabulary.count == 514)
        #expect(Set(vocabulary.values) == Set(0..<514))
        #expect(vocabulary["<|startoftext|>"] == 512 && vocabulary["<|endoftext|>"] == 513)
        #expect(vocabulary["!"] == 0 && vocabulary["!</w>"] == 256 && vocabulary["Ġ"] != nil && vocabulary["\""] != nil && vocabulary["\\</w>"] != nil)
        #expect(TinyRandomVocabulary.tokens.enumerated().allSatisfy { vocabulary[$1] == $0 })
    }

    @Test func exportRefusesANonEmptyFolderUnlessAskedToOverwrite() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try Data("keep".utf8).write(to: URL(fileURLWithPath: scratch.file("notes.txt")))
        #expect(throws: TinyRandomExportError.folderNotEmpty(path: scratch.path)) {
            try TinyRandomModel.export(to: scratch.path)
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.file("model_index.json")))
        try TinyRandomModel.export(to: scratch.path, overwrite: true)
        #expect(FileManager.default.fileExists(atPath: scratch.file("unet/diffusion_pytorch_model.safetensors")))
        #expect(try String(contentsOfFile: scratch.file("notes.txt"), encoding: .utf8) == "keep")
        #expect(throws: TinyRandomExportError.notAFolder(path: scratch.file("notes.txt"))) {
            try TinyRandomModel.export(to: scratch.file("notes.txt"))
        }
    }

    @Test func warningSaysTheImagesAreMeaningless() {
        #expect(TinyRandomModel.warning == "tiny-random: random weights, images are meaningless")
        #expect(TinyRandomModel.name == "tiny-random")
    }
}
