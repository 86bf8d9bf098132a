import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// A LoRA given as a folder (``LoRAFile``): the weights file is chosen as diffusers 0.42.1's
/// `load_lora_weights` chooses it (`_best_guess_weight_name`: `.safetensors` files without
/// "scheduler", "optimizer" or "checkpoint" in their names, `pytorch_lora_weights.safetensors`
/// first), except that several candidates are an error rather than the first in directory order.
@Suite struct LoRAFileTests {
    @Test(arguments: [
        (["pytorch_lora_weights.safetensors", "outputs.safetensors", "README.md"], LoRAFile.Choice.file("pytorch_lora_weights.safetensors")),
        (["style.safetensors", "optimizer.safetensors", "scheduler.safetensors", "notes.txt"], .file("style.safetensors")),
        (["unet_pytorch_lora_weights.safetensors", "other.safetensors"], .file("unet_pytorch_lora_weights.safetensors")),
        (["b.safetensors", "a.safetensors"], .several(["a.safetensors", "b.safetensors"])),
        (["optimizer.safetensors", "checkpoint-500.safetensors", "weights.bin"], .none(ignored: ["checkpoint-500.safetensors", "optimizer.safetensors"])),
        ([], .none(ignored: [])),
    ] as [([String], LoRAFile.Choice)])
    func choosesTheWeightsFileAsDiffusers(names: [String], expected: LoRAFile.Choice) {
        #expect(LoRAFile.choose(among: names) == expected)
    }

    @Test func resolvesFoldersAndLeavesFilesAlone() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let lora = Fixtures.file("lora/kohya-diffusers", "lora.safetensors")
        #expect(try LoRAFile.resolve(lora) == lora)
        #expect(try LoRAFile.resolve(scratch.file("missing.safetensors")) == scratch.file("missing.safetensors"),
                "a missing path is left to the reader, which names it")

        let adapter = scratch.file("adapter")
        try FileManager.default.createDirectory(atPath: adapter + "/checkpoint.safetensors", withIntermediateDirectories: true)
        #expect { try LoRAFile.resolve(adapter) } throws: { error in
            "\(error)" == "LoRA folder \(adapter) has no pytorch_lora_weights.safetensors and no other .safetensors file: "
                + "pass the LoRA's .safetensors file, or a folder that holds it"
        }
        try FileManager.default.copyItem(atPath: lora, toPath: adapter + "/style.safetensors")
        try FileManager.default.copyItem(atPath: lora, toPath: adapter + "/other.safetensors")
        #expect { try LoRAFile.resolve(adapter) } throws: { error in
            "\(error)".contains("LoRA folder \(adapter) holds several candidate weights files (other.safetensors, style.safetensors)")
        }
        try FileManager.default.copyItem(atPath: lora, toPath: adapter + "/pytorch_lora_weights.safetensors")
        #expect(try LoRAFile.resolve(adapter) == adapter + "/pytorch_lora_weights.safetensors")
    }

    /// A folder fuses exactly as its weights file (`forward --lora FOLDER` and the library's
    /// `loras:` arguments go through `LoRAWeights(path:)`).
    @Test func aFolderFusesAsItsFile() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let lora = Fixtures.file("lora/kohya-diffusers", "lora.safetensors")
        try FileManager.default.copyItem(atPath: lora, toPath: scratch.file("pytorch_lora_weights.safetensors"))
        try FileManager.default.copyItem(atPath: Fixtures.file("lora/kohya-diffusers", "outputs.safetensors"),
                                         toPath: scratch.file("outputs.safetensors"))
        #expect(try LoRAWeights(path: scratch.path).path == scratch.file("pytorch_lora_weights.safetensors"))
        let inputs = try SafeTensorsFile(path: Fixtures.file("unet-sd1", "inputs.safetensors"))
        let fromFile = try NetworkComponent.unet.run(model: Fixtures.folder("unet-sd1"), inputs: inputs,
                                                     loras: [LoRAReference(path: lora, scale: 0.7)])
        let fromFolder = try NetworkComponent.unet.run(model: Fixtures.folder("unet-sd1"), inputs: inputs,
                                                       loras: [LoRAReference(path: scratch.path, scale: 0.7)])
        guard case .float32(let expected) = fromFile["sample"], case .float32(let actual) = fromFolder["sample"] else {
            Issue.record("no sample output")
            return
        }
        #expect(actual.scalars == expected.scalars)
    }
}
