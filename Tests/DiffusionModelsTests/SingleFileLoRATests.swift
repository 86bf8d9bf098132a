@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// LoRAs fused into a single-file checkpoint: against diffusers (`pipe.load_lora_weights` +
/// `fuse_lora(lora_scale=0.7)` of Tests/Fixtures/lora/peft on the pipeline diffusers 0.42.1 loads
/// from sd1.safetensors, which the fixture script checked equals the twin folder's), and against
/// our own fusion into the twin diffusers folders for every key style (same modules, same updates).
@Suite struct SingleFileLoRATests {
    @Test func peftLoRAMatchesDiffusers() throws {
        let lora = LoRAReference(path: Fixtures.file("lora/peft", "lora.safetensors"), scale: 0.7)
        let model = try SingleFileCheckpoint(path: SingleFileParityTests.sd1)
            .load(configurationFolder: SingleFileParityTests.sd1Configuration, loras: [lora])
        let reference = try SafeTensorsFile(path: Fixtures.file("single-file", "sd1-reference.safetensors"))
        let outputs = try SingleFileParityTests.run(model, reference: reference)
        for name in ["unet/sample", "text_encoder/last_hidden_state"] {
            let comparison = Comparison(try #require(outputs[name]), try reference.tensor("lora/" + name))
            #expect(comparison.maximumAbsoluteError < SingleFileParityTests.tolerance, "\(name): \(comparison)")
        }
    }

    /// The weight updates fused into the converted single-file networks equal those fused into
    /// the twin folders (unet-sd1, clip-quick-gelu), module for module, for every LoRA key style
    /// (kohya LDM names included); the base weights differ only by the file's fp16 rounding.
    @Test(arguments: LoRATests.styles) func fusedUpdatesEqualTheTwinFolders(_ style: String) throws {
        let loras = [(weights: try LoRAWeights(path: Fixtures.file("lora/" + style, "lora.safetensors")), scale: Float(0.7))]
        let checkpoint = try SingleFileCheckpoint(path: SingleFileParityTests.sd1)
        let configurations = try SingleFileConfigurations.folder(SingleFileParityTests.sd1Configuration, architecture: .stableDiffusion1)
        let conversion = try SingleFileConversion(file: checkpoint.file, architecture: .stableDiffusion1, configurations: configurations)
        let pairs: [(ConvertedWeights, LoRAFusionTarget, LoRAFusionTarget, String)] = [
            (conversion.unet, conversion.unet.loraTarget(.unet, unetConfiguration: configurations.unet),
             try .unet(folder: Fixtures.folder("unet-sd1")), Fixtures.file("unet-sd1", "diffusion_pytorch_model.safetensors")),
            (conversion.textEncoder, conversion.textEncoder.loraTarget(.textEncoder, unetConfiguration: nil),
             try .textEncoder(folder: Fixtures.folder("clip-quick-gelu")), Fixtures.file("clip-quick-gelu", "model.safetensors")),
        ]
        for (weights, singleFileTarget, twinTarget, twinPath) in pairs {
            let fromSingleFile = try LoRAFusion.overrides(for: singleFileTarget, loras: loras)
            let fromTwin = try LoRAFusion.overrides(for: twinTarget, loras: loras)
            let twin = try SafeTensorsFile(path: twinPath)
            let twinKey = { (key: String) in twin.entries[key] != nil ? key : String(key.dropFirst("text_model.".count)) }
            #expect(Set(fromSingleFile.keys) == Set(fromTwin.keys.map { twin.entries[$0] != nil && weights.tensors[$0] == nil ? "text_model." + $0 : $0 }))
            #expect(!fromSingleFile.isEmpty)
            for (key, fused) in fromSingleFile {
                let base = try weights.tensor(key)
                let twinFused = try #require(fromTwin[twinKey(key)]), twinBase = try twin.tensor(twinKey(key))
                let (fusedValues, baseValues) = (fused.scalars, base.scalars)
                let (twinFusedValues, twinBaseValues) = (twinFused.scalars, twinBase.scalars)
                var worst: Float = 0
                for index in 0..<fused.count {
                    let update = fusedValues[index] - baseValues[index], twinUpdate = twinFusedValues[index] - twinBaseValues[index]
                    worst = max(worst, abs(update - twinUpdate))
                }
                #expect(worst < 1e-5, "\(style) \(key): updates differ by \(worst)")
            }
        }
    }
}
