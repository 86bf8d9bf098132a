import DiffusionModels
import Foundation
import TensorRuntime

/// One benchmark: a full-size network with random weights on fixed-shape inputs. The same
/// names are understood by `Tools/bench_pytorch.py --case`.
enum BenchmarkCase: String, CaseIterable {
    case unetBatch1 = "unet-b1"
    case unetBatch4 = "unet-b4"
    case clip
    case taesdDecode = "taesd-decode"
    case vaeDecode = "vae-decode"

    var summary: String {
        switch self {
        case .unetBatch1: return "SD1.5 UNet forward, [1,4,64,64], context [1,77,768]"
        case .unetBatch4: return "SD1.5 UNet forward, [4,4,64,64], per-sample timesteps"
        case .clip: return "SD1.5 CLIP text encoder, 77 tokens"
        case .taesdDecode: return "TAESD decode, [1,4,64,64] -> 512x512"
        case .vaeDecode: return "SD1.5 VAE decode, [1,4,64,64] -> 512x512"
        }
    }

    /// Builds the network (random weights) and returns a closure that runs it once.
    func prepare() throws -> () throws -> Void {
        let store = ParameterStore(randomWeightsSeed: 0)
        var random = SplitMix(seed: 1)
        switch self {
        case .unetBatch1, .unetBatch4:
            let unet = try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusion15UNet(), store: store)
            let batch = self == .unetBatch1 ? 1 : 4
            let sample = random.normalTensor([batch, 4, 64, 64])
            let context = random.normalTensor([batch, 77, 768])
            let timesteps: [Float] = Array([999, 759, 499, 259].prefix(batch))
            return { _ = try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context) }
        case .clip:
            let encoder = try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store)
            let ids = [[49406] + (0..<75).map { 320 + $0 * 7 } + [49407]]
            return { _ = try encoder(inputIDs: ids) }
        case .taesdDecode:
            let taesd = try AutoencoderTiny(configuration: ReferenceConfigurations.tinyAutoencoder(), store: store)
            let latents = random.normalTensor([1, 4, 64, 64])
            return { _ = try taesd.decode(latents) }
        case .vaeDecode:
            let vae = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion15Autoencoder(), store: store)
            let latents = random.normalTensor([1, 4, 64, 64])
            return { _ = try vae.decode(latents) }
        }
    }
}

/// A small deterministic generator for benchmark inputs (values do not matter, only shapes).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Approximately standard normal values (sum of uniforms), enough for timing inputs.
    mutating func normalTensor(_ shape: [Int]) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        for index in 0..<tensor.count {
            var total: Float = 0
            for _ in 0..<4 { total += Float(next() >> 40) / Float(1 << 24) }
            tensor.pointer[index] = (total - 2) * 1.732
        }
        return tensor
    }
}
