import TensorRuntime

/// One tensor of a network as diffusers names it, and where it comes from in a single-file
/// checkpoint.
struct ConvertedTensor: Sendable, Equatable {
    enum Transform: Sendable, Equatable {
        /// The stored tensor as it is.
        case none
        /// The same elements with ``ConvertedTensor/shape`` (a [C, C, 1, 1] kernel as a [C, C] matrix).
        case reshape
        /// These rows of the stored tensor (a third of an OpenCLIP `in_proj_weight`/`in_proj_bias`).
        case rows(Range<Int>)
        /// The stored [a, b] matrix transposed to ``ConvertedTensor/shape`` [b, a] (OpenCLIP's
        /// `text_projection` as transformers' `text_projection.weight`; copied).
        case transpose
        /// The stored tensor with the two halves of its first dimension exchanged (diffusers'
        /// `swap_scale_shift`: MMDiT's `adaLN_modulation` (shift, scale) as diffusers' (scale, shift)).
        case swapHalves
        /// No stored tensor: the [n, n] identity matrix (SD3's CLIP-L `text_projection.weight`,
        /// which diffusers sets to `torch.eye`); ``ConvertedTensor/sourceKey`` says so for messages.
        case identity
    }

    /// The key in the single file.
    let sourceKey: String
    /// The shape the network sees.
    let shape: [Int]
    let transform: Transform

    init(_ sourceKey: String, shape: [Int], transform: Transform = .none) {
        self.sourceKey = sourceKey
        self.shape = shape
        self.transform = transform
    }
}

/// One network's parameters of a single-file checkpoint under their diffusers/transformers keys,
/// read on demand from the memory-mapped file: nothing is copied up front. A tensor is converted
/// when the network takes it — F32 tensors stay mapped in place (a reshape is a view), F16/BF16
/// become float32 (as for any checkpoint), only OpenCLIP's `in_proj` rows are copied — so the
/// memory cost is that of the loaded networks themselves.
public final class ConvertedWeights: Sendable {
    let file: SafeTensorsFile
    /// The file and network, for messages: `model.safetensors (unet)`.
    public let name: String
    /// By diffusers/transformers key.
    let tensors: [String: ConvertedTensor]

    init(file: SafeTensorsFile, component: String, tensors: [String: ConvertedTensor]) {
        self.file = file
        name = "\(file.path) (\(component))"
        self.tensors = tensors
    }

    /// Every tensor's shape by its diffusers/transformers key.
    public var shapes: [String: [Int]] { tensors.mapValues(\.shape) }

    /// The key in the single file that `key` (a diffusers/transformers key) is read from.
    public func sourceKey(of key: String) -> String? { tensors[key]?.sourceKey }

    /// The tensor stored as `key` (a diffusers/transformers key), as float32. Throws
    /// ``ModelLoadingError/missingParameter(key:file:)`` for a key the network does not have.
    public func tensor(_ key: String) throws -> Tensor {
        guard let converted = tensors[key] else { throw ModelLoadingError.missingParameter(key: key, file: name) }
        if converted.transform == .identity {
            let size = converted.shape.first ?? 0
            return Tensor(shape: converted.shape, initializingHostElements: { output in
                output.initialize(repeating: 0)
                for index in 0..<size { output[index * size + index] = 1 }
            })
        }
        let stored: Tensor
        do {
            stored = try file.tensor(converted.sourceKey)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
        switch converted.transform {
        case .none:
            return stored
        case .reshape:
            return stored.reshaped(converted.shape)
        case .rows(let rows):
            return stored.slice(outer: rows.lowerBound, length: rows.count).reshaped(converted.shape)
        case .identity:
            return stored
        case .swapHalves:
            let half = stored.shape[0] / 2
            let inner = stored.count / max(stored.shape[0], 1), values = stored.scalars
            return Tensor(shape: converted.shape, initializingHostElements: { output in
                for row in 0..<stored.shape[0] {
                    let from = (row + half) % stored.shape[0]
                    for column in 0..<inner { output[row * inner + column] = values[from * inner + column] }
                }
            })
        case .transpose:
            let rows = stored.shape[0], columns = stored.count / max(rows, 1), values = stored.scalars
            return Tensor(shape: converted.shape, initializingHostElements: { output in
                for row in 0..<rows {
                    for column in 0..<columns { output[column * rows + row] = values[row * columns + column] }
                }
            })
        }
    }

    /// A strict parameter store over these tensors (see ``ParameterStore/init(name:shapes:load:)``).
    public func parameterStore() -> ParameterStore {
        ParameterStore(name: name, shapes: shapes, load: { [self] key in try tensor(key) })
    }

    /// The network as a LoRA fusion target (its base weights read through the conversion);
    /// `unetConfiguration` lays out the UNet's blocks for LDM/SGM-named kohya layers.
    public func loraTarget(_ target: LoRATarget, unetConfiguration: UNetConfiguration?) -> LoRAFusionTarget {
        LoRAFusionTarget(target: target, name: name, weightShapes: shapes, unetConfiguration: unetConfiguration,
                         baseWeight: { [self] key in try tensor(key) })
    }

    /// `error` with diffusers keys of unused parameters turned back into the file's own keys.
    func describingSourceKeys(_ error: ModelLoadingError) -> ModelLoadingError {
        guard case let .unusedParameters(keys, file) = error else { return error }
        let sources = Set(keys.map { tensors[$0]?.sourceKey ?? $0 }).sorted()
        return .unusedParameters(keys: sources, file: file)
    }
}
