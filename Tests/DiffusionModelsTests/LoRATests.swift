import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// LoRA fusion against diffusers 0.42.1 + peft 0.21.2 (torch 2.13.0 CPU, float32): for every
/// key style in Tests/Fixtures/lora/ (Tools/make_lora_fixtures.py), diffusers fused the LoRA into
/// the unet-sd1 and clip-quick-gelu fixture models with `fuse_lora(lora_scale: S)` and ran them on
/// those fixtures' inputs; we fuse the same file at the same scale through the real loading code
/// (`NetworkComponent.run(model:inputs:loras:)`, as `semantic-draw forward --lora`) and compare.
/// Tolerance: 1e-4 max-abs error (the LoRAs move the outputs by 2 to 4).
@Suite struct LoRATests {
    static let styles = ["kohya-diffusers", "kohya-ldm", "peft-metadata", "peft", "diffusers-old"]

    struct Case: CustomTestStringConvertible, Sendable {
        let style: String
        let component: NetworkComponent
        let scale: Float
        var testDescription: String { "\(style) \(component.rawValue) at \(scale)" }
    }

    static let cases: [Case] = styles.flatMap { style in
        [NetworkComponent.unet, .textEncoder].flatMap { component in
            [Float(1.0), 0.7].map { Case(style: style, component: component, scale: $0) }
        }
    }

    /// The fixture model and the output names for `component`.
    static func fixture(_ component: NetworkComponent) -> (model: String, outputs: [String]) {
        component == .unet ? ("unet-sd1", ["sample"]) : ("clip-quick-gelu", ["last_hidden_state", "pooler_output"])
    }

    static func loraPath(_ style: String) -> String { Fixtures.file("lora/" + style, "lora.safetensors") }

    /// Runs `component` with `loras` and compares each output with `expected(name)` from `reference`.
    private func check(_ component: NetworkComponent, loras: [LoRAReference], reference: String, label: String,
                       expectedKey: (String) -> String) throws {
        let (model, outputs) = Self.fixture(component)
        let inputs = try SafeTensorsFile(path: Fixtures.file(model, "inputs.safetensors"))
        let expected = try SafeTensorsFile(path: reference)
        let results = try component.run(model: Fixtures.folder(model), inputs: inputs, loras: loras)
        // Text encoders also write penultimate_hidden_state, which the LoRA references lack.
        #expect(Set(results.keys) == Set(outputs).union(component == .textEncoder ? ["penultimate_hidden_state"] : []))
        for name in outputs {
            guard case .float32(let actual) = results[name] else {
                Issue.record("no float output \(name)")
                continue
            }
            let wanted = try expected.tensor(expectedKey(name))
            try #require(actual.shape == wanted.shape, "\(name): shape \(actual.shape) vs reference \(wanted.shape)")
            let comparison = Comparison(actual, wanted)
            print("lora parity \(label) \(name): \(comparison)")
            #expect(comparison.maximumAbsoluteError < 1e-4, "\(label) \(name): \(comparison)")
        }
    }

    @Test(arguments: cases)
    func fusedNetworkMatchesDiffusers(_ testCase: Case) throws {
        let prefix = "scale_" + String(format: "%.1f", testCase.scale) + (testCase.component == .unet ? "/unet/" : "/text_encoder/")
        try check(testCase.component, loras: [LoRAReference(path: Self.loraPath(testCase.style), scale: testCase.scale)],
                  reference: Fixtures.file("lora/" + testCase.style, "outputs.safetensors"),
                  label: testCase.testDescription, expectedKey: { prefix + $0 })
    }

    /// kohya-diffusers at 0.7 and peft-metadata at 1.0 fused together (diffusers: two adapters,
    /// `set_adapters(weights: [0.7, 1.0])`, one `fuse_lora`).
    @Test(arguments: [NetworkComponent.unet, .textEncoder])
    func stackedLoRAsMatchDiffusers(_ component: NetworkComponent) throws {
        let loras = [LoRAReference(path: Self.loraPath("kohya-diffusers"), scale: 0.7),
                     LoRAReference(path: Self.loraPath("peft-metadata"), scale: 1.0)]
        let prefix = component == .unet ? "unet/" : "text_encoder/"
        try check(component, loras: loras, reference: Fixtures.file("lora/stacked", "outputs.safetensors"),
                  label: "stacked \(component.rawValue)", expectedKey: { prefix + $0 })
    }

    /// The convenience initialisers give the same network as explicit overrides, and a LoRA at
    /// scale 0 leaves the weights as they are.
    @Test func convenienceInitialiserAndZeroScale() throws {
        let folder = Fixtures.folder("clip-quick-gelu")
        let path = Self.loraPath("kohya-diffusers")
        let network = try LoRAFusionTarget.textEncoder(folder: folder)
        let overrides = try LoRAWeights(path: path).fused(into: network, scale: 0.7)
        let ids = [[Int]](repeating: Array(0..<77), count: 1)
        let viaOverrides = try CLIPTextModel(folder: folder, overrides: overrides)(inputIDs: ids)
        let viaReferences = try CLIPTextModel(folder: folder, loras: [LoRAReference(path: path, scale: 0.7)])(inputIDs: ids)
        #expect(viaOverrides.lastHiddenState.scalars == viaReferences.lastHiddenState.scalars)

        let unchanged = try LoRAWeights(path: path).fused(into: network, scale: 0)
        let base = try SafeTensorsFile(path: Fixtures.file("clip-quick-gelu", "model.safetensors"))
        for (key, tensor) in unchanged {
            #expect(tensor.scalars == (try base.tensor(key)).scalars, "\(key) changed at scale 0")
        }
    }
}
