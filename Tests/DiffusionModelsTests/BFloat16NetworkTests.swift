import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Every network of ``NetworkParityTests`` (CLIP, the SD1/SD2/SDXL UNets, the VAEs, TAESD, the
/// SD3 transformers; F32, F16 and BF16 checkpoints) loaded with bf16 weight matrices
/// (`ParameterStore.$loadingPrecision`), against the same float32 PyTorch outputs.
///
/// Tolerance: max |bf16 - reference| / max |reference| <= 3e-2 (the issue's bound for the
/// full-size UNet against PyTorch float32). Each weight carries a relative rounding error of at
/// most 2^-8 (about 4e-3, BFloat16KernelTests derives the per-product bound); through a dozen
/// layers with normalisations in between these stay at the 1e-3..1e-2 level. The error must
/// also be above 1e-6 (except for the BF16 checkpoint, whose weights are bf16 already), so that a
/// load which silently stayed float32 fails.
@Suite struct BFloat16NetworkTests {
    @Test(arguments: NetworkParityTests.cases)
    func staysCloseToTheFloat32Reference(_ testCase: NetworkParityTests.Case) throws {
        let inputs = try SafeTensorsFile(path: Fixtures.file(testCase.fixture, "inputs.safetensors"))
        let expected = try SafeTensorsFile(path: Fixtures.file(testCase.fixture, "outputs.safetensors"))
        let results = try ParameterStore.$loadingPrecision.withValue(.bf16) {
            try testCase.component.run(model: Fixtures.folder(testCase.fixture), inputs: inputs)
        }
        for (name, referenceName) in testCase.outputs {
            guard case .float32(let actual) = results[name] else {
                Issue.record("no float output \(name)")
                continue
            }
            let reference = try expected.tensor(referenceName)
            try #require(actual.shape == reference.shape)
            let comparison = Comparison(actual, reference)
            print("bf16 \(testCase.testDescription) \(name): \(comparison)")
            #expect(comparison.relativeError <= 3e-2, "\(name): \(comparison)")
            // A BF16 checkpoint's weights round to themselves: only the summation order differs.
            if !testCase.fixture.contains("bf16") {
                #expect(comparison.relativeError > 1e-6, "\(name): bf16 weights were not used (\(comparison))")
            }
        }
    }
}

/// What a bf16 store hands out: weight matrices of linear layers and convolutions (overrides,
/// i.e. fused LoRAs, included) rounded once to bf16; biases and norm parameters float32.
@Suite struct BFloat16ParameterStoreTests {
    @Test func onlyWeightMatricesBecomeBFloat16() throws {
        let linearWeight = Tensor(shape: [3, 5], values: (0..<15).map { Float($0) * 0.1 + 0.013 })
        let convolutionWeight = Tensor(shape: [2, 3, 3, 3], values: (0..<54).map { Float($0) * -0.07 + 0.0031 })
        let fused = Tensor(shape: [3, 5], values: (0..<15).map { Float($0) * 0.2 + 0.0071 })
        let tensors: [String: Tensor] = [
            "linear.weight": linearWeight, "linear.bias": Tensor(shape: [3], values: [0.1, 0.2, 0.3]),
            "conv.weight": convolutionWeight, "conv.bias": Tensor(shape: [2], values: [0.5, 0.25]),
            "norm.weight": Tensor(shape: [3], values: [1, 1, 1]), "norm.bias": Tensor(shape: [3], values: [0, 0, 0]),
        ]
        let store = ParameterStore(tensors: tensors, name: "test")
        store.precision = .bf16
        let linear = try Linear(store, KeyPath("linear"), inFeatures: 5, outFeatures: 3)
        let convolution = try Conv2d(store, KeyPath("conv"), inChannels: 3, outChannels: 2, kernelSize: 3)
        let norm = try LayerNorm(store, KeyPath("norm"), features: 3, epsilon: 1e-5)
        try store.finish()
        #expect(linear.weight.dtype == .bfloat16 && convolution.weight.dtype == .bfloat16)
        #expect(linear.bias?.dtype == .float32 && convolution.bias?.dtype == .float32 && norm.weight.dtype == .float32)
        #expect(linear.weight.scalars == linearWeight.converted(to: .bfloat16).scalars)
        #expect(convolution.weight.scalars == convolutionWeight.converted(to: .bfloat16).scalars)

        let overridden = ParameterStore(tensors: tensors, name: "test")
        overridden.precision = .bf16
        overridden.overrides["linear.weight"] = fused
        let fusedLinear = try Linear(overridden, KeyPath("linear"), inFeatures: 5, outFeatures: 3)
        #expect(fusedLinear.weight.scalars == fused.converted(to: .bfloat16).scalars)

        // The task-local default: stores made inside the scope are bf16, outside fp32.
        let scoped = ParameterStore.$loadingPrecision.withValue(.bf16) { ParameterStore(tensors: tensors, name: "test") }
        #expect(scoped.precision == .bf16)
        #expect(ParameterStore(tensors: tensors, name: "test").precision == .fp32)
    }
}
