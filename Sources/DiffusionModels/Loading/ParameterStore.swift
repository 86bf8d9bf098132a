import TensorRuntime

/// Hands out a checkpoint's tensors by their exact key, checking each shape against what the
/// config implies, and remembers which keys were taken so that ``finish()`` can reject a file
/// with parameters the model does not use. Loading is therefore strict in both directions.
///
/// A store can also make random weights for any requested key (``init(randomWeightsSeed:)``),
/// for benchmarks of full-size architectures without a checkpoint.
public final class ParameterStore {
    /// The weights file, for error messages.
    public let path: String
    private let file: SafeTensorsFile?
    private let dictionary: [String: Tensor]?
    private let source: (shapes: [String: [Int]], load: (String) throws -> Tensor)?
    private var random: RandomWeights?
    private var taken: Set<String> = []
    private let ignoredKeys: Set<String>
    /// Replacement tensors by key (e.g. LoRA-fused weights); shapes are checked all the same.
    public var overrides: [String: Tensor] = [:]
    /// The precision weight matrices are handed out in (``takeWeightMatrix(_:shape:)``): from
    /// ``loadingPrecision`` when the store is made. Overrides (fused LoRAs) are float32 and are
    /// rounded here, so LoRAs fuse in float32 and then round once.
    public var precision: Precision = ParameterStore.loadingPrecision

    /// The precision stores made in this task (and its children) hand weight matrices out in;
    /// model loading runs under `ParameterStore.$loadingPrecision.withValue(.bf16) { ... }`
    /// to load any network with bf16 weights without threading a parameter through every
    /// initialiser.
    @TaskLocal public static var loadingPrecision: Precision = .fp32

    /// Opens `path`; `ignoredKeys` are non-parameter buffers some checkpoints carry
    /// (e.g. CLIP's `position_ids`) and are neither required nor reported as unused.
    public init(path: String, ignoredKeys: Set<String> = []) throws {
        do {
            file = try SafeTensorsFile(path: path)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
        dictionary = nil
        source = nil
        self.path = path
        self.ignoredKeys = ignoredKeys
    }

    /// A strict store over tensors made on demand (e.g. a foreign-layout checkpoint whose keys
    /// are renamed on the fly): `shapes` lists every key with its shape, checked before `load`
    /// reads the tensor; `name` stands for the file in messages.
    public init(name: String, shapes: [String: [Int]], load: @escaping (String) throws -> Tensor) {
        file = nil
        dictionary = nil
        source = (shapes, load)
        path = name
        ignoredKeys = []
    }

    /// A strict store over tensors held in memory (e.g. the `tiny-random` model): missing keys,
    /// wrong shapes and unused tensors are errors as for a file; `name` stands for the file.
    public init(tensors: [String: Tensor], name: String) {
        file = nil
        dictionary = tensors
        source = nil
        path = name
        ignoredKeys = []
    }

    /// A store that answers every request with random weights of the requested shape (matrices
    /// and kernels uniform in +-1/sqrt(fan-in), norm scales near 1, biases near 0).
    public init(randomWeightsSeed seed: UInt64) {
        file = nil
        dictionary = nil
        source = nil
        random = RandomWeights(seed: seed)
        path = "(random weights, seed \(seed))"
        ignoredKeys = []
    }

    /// All keys in the file (none for random weights).
    public var keys: [String] { file?.keys ?? dictionary.map { $0.keys.sorted() } ?? source.map { $0.shapes.keys.sorted() } ?? [] }

    /// The tensor stored under `key`, which must have `shape`.
    public func take(_ key: String, shape: [Int]) throws -> Tensor {
        try take(key, shape: shape, weightMatrix: false)
    }

    /// The weight matrix of a linear layer or convolution under `key`: float32 at
    /// ``Precision/fp32``; at ``Precision/bf16`` rounded to bfloat16 once, straight into the
    /// bf16 GEMM's packed panels (F16/BF16 file data is read in place from the mapping, with
    /// no float32 copy).
    /// F16 weights are converted while packing (one rounding, never a float32 copy).
    public func takeWeightMatrix(_ key: String, shape: [Int]) throws -> Tensor {
        try take(key, shape: shape, weightMatrix: precision == .bf16)
    }

    private func take(_ key: String, shape: [Int], weightMatrix half: Bool) throws -> Tensor {
        var tensor: Tensor
        if let override = overrides[key] {
            tensor = override
        } else if let dictionary {
            guard let stored = dictionary[key] else { throw ModelLoadingError.missingParameter(key: key, file: path) }
            tensor = stored
        } else if let source {
            guard let stored = source.shapes[key] else { throw ModelLoadingError.missingParameter(key: key, file: path) }
            guard stored == shape else { throw ModelLoadingError.shapeMismatch(key: key, expected: shape, found: stored, file: path) }
            tensor = try source.load(key)
        } else if random != nil {
            tensor = random!.tensor(key: key, shape: shape)
        } else if let file {
            guard let entry = file.entries[key] else { throw ModelLoadingError.missingParameter(key: key, file: path) }
            guard entry.shape == shape else {
                throw ModelLoadingError.shapeMismatch(key: key, expected: shape, found: entry.shape, file: path)
            }
            do {
                // F16/BF16 data is read in place from the mapping (no float32 copy).
                let stayHalf = half && (entry.dtype == .float16 || entry.dtype == .bfloat16)
                tensor = stayHalf ? try file.halfPrecisionTensor(key) : try file.tensor(key)
            } catch let error as SafeTensorsError {
                throw ModelLoadingError.safeTensors(error)
            }
        } else {
            throw ModelLoadingError.missingParameter(key: key, file: path)
        }
        guard tensor.shape == shape else {
            throw ModelLoadingError.shapeMismatch(key: key, expected: shape, found: tensor.shape, file: path)
        }
        // Rounded (once) straight into the bf16 GEMM's panels, at load; the checkpoint's pages
        // of that weight are then released (the file stays mapped for the float32 tensors).
        if half {
            tensor = tensor.packedBFloat16WeightMatrix()
            if overrides[key] == nil { file?.releasePages(of: key) }
        }
        taken.insert(key)
        return tensor
    }

    /// Fails if any key of the file was not taken (apart from the ignored buffers).
    public func finish() throws {
        guard file != nil || dictionary != nil || source != nil else { return }
        let unused = keys.filter { !taken.contains($0) && !ignoredKeys.contains($0) }
        if !unused.isEmpty { throw ModelLoadingError.unusedParameters(keys: unused, file: path) }
    }
}

/// The random weights of ``ParameterStore/init(randomWeightsSeed:)`` (SplitMix64 stream).
struct RandomWeights {
    var stream: SplitMix64

    init(seed: UInt64) { stream = SplitMix64(seed: seed) }

    mutating func tensor(key: String, shape: [Int]) -> Tensor {
        let isVector = shape.count == 1
        let isScale = isVector && key.hasSuffix(".weight")
        let fanIn = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
        let bound = isVector ? Float(0.05) : 1 / Float(fanIn).squareRoot()
        return Tensor(shape: shape) { values in
            for index in values.indices { values[index] = (isScale ? 1 : 0) + bound * stream.nextSignedUnit() }
        }
    }
}

/// A key prefix while building a network: `prefix.appending("down_blocks", 0)` gives
/// `down_blocks.0`, so keys are spelled exactly as in the checkpoint.
public struct KeyPath: Sendable, CustomStringConvertible {
    public let description: String

    public init(_ root: String = "") { description = root }

    /// The path extended by components joined with dots.
    public func appending(_ components: CustomStringConvertible...) -> KeyPath {
        let tail = components.map(\.description).joined(separator: ".")
        return KeyPath(description.isEmpty ? tail : description + "." + tail)
    }

    /// The full key of a parameter under this path.
    public func key(_ name: String) -> String { description.isEmpty ? name : description + "." + name }
}
