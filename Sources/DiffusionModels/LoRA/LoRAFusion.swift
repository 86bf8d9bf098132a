import TensorRuntime

/// Fuses LoRA layers into a network's weights, as diffusers' `fuse_lora(lora_scale: S)` does
/// (peft 0.21 `LoraLayer.get_delta_weight`): for every adapted module,
///
///     W' = W + S * (alpha / rank) * up @ down
///
/// with `up` [out, rank] and `down` [rank, in * kh * kw] (a convolution's kernel flattened), in
/// float32 through ``BLAS/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
/// Several LoRAs stack: their updates add up. The result is a set of parameter overrides by key
/// for ``UNet2DConditionModel/init(folder:overrides:)`` / ``CLIPTextModel/init(folder:overrides:)``:
/// only adapted modules get new tensors, every other weight stays memory-mapped.
public enum LoRAFusion {
    /// The overrides that fuse `loras` (each with its scale, in order) into `network`: `existing`
    /// with every adapted weight added (starting from the existing override where there is one,
    /// copied, never changed in place).
    ///
    /// Every layer for `network.target` must name a module of the network (an error names the key
    /// otherwise) and fit its weight's shape; layers for the other network are skipped.
    public static func overrides(for network: LoRAFusionTarget, loras: [(weights: LoRAWeights, scale: Float)],
                                 onto existing: [String: Tensor] = [:]) throws -> [String: Tensor] {
        // Resolve and check everything before computing anything.
        var plan: [(weightKey: String, layer: LoRALayer, factor: Float, file: String)] = []
        for (lora, scale) in loras {
            var adapted: [String: String] = [:]  // module -> down key, within this file
            for layer in lora.layers(for: network.target) {
                let module = try resolve(layer, in: network, file: lora.path)
                if let other = adapted[module] {
                    throw LoRAError.duplicateModule(file: lora.path, key: layer.downKey, otherKey: other, module: module)
                }
                adapted[module] = layer.downKey
                let weightKey = module + ".weight"
                let weightShape = network.index.weightShapes[module] ?? []
                guard fits(layer, weightShape: weightShape) else {
                    throw LoRAError.shapeMismatch(file: lora.path, key: layer.downKey, downShape: layer.down.shape,
                                                  upShape: layer.up.shape, weightKey: weightKey, weightShape: weightShape)
                }
                plan.append((weightKey, layer, scale * (try lora.multiplier(of: layer, modulePath: module)), lora.path))
            }
        }

        var result = existing
        var created: Set<String> = []
        for (weightKey, layer, factor, file) in plan {
            try Task.checkCancellation()
            let weight: Tensor
            if created.contains(weightKey), let fused = result[weightKey] {
                weight = fused
            } else {
                // A copy: of an override (never changed in place) or of the mapped base weight.
                do {
                    weight = try (existing[weightKey] ?? network.baseWeight(weightKey)).copy()
                } catch let error as SafeTensorsError {
                    throw ModelLoadingError.safeTensors(error)
                }
                guard fits(layer, weightShape: weight.shape) else {
                    throw LoRAError.shapeMismatch(file: file, key: layer.downKey, downShape: layer.down.shape,
                                                  upShape: layer.up.shape, weightKey: weightKey, weightShape: weight.shape)
                }
                created.insert(weightKey)
            }
            let outputs = weight.shape[0], inputs = weight.count / outputs, rank = layer.rank
            weight.addMatrixProductInPlace(layer.up.reshaped([outputs, rank]), layer.down.reshaped([rank, inputs]), scale: factor)
            result[weightKey] = weight
        }
        return result
    }

    /// Reads the LoRA files of `references` and fuses them into `network` (see
    /// ``overrides(for:loras:onto:)``). With `hasSecondTextEncoder` false (a Stable Diffusion
    /// 1.x/2.x model), a file with layers for SDXL's second text encoder is refused
    /// (``LoRAWeights/checkSecondTextEncoder(present:)``); with true they are left to that network.
    /// Layers for the other kind of denoiser (SD3 transformer layers when fusing into a UNet,
    /// UNet layers when fusing into a transformer) are refused (``LoRAWeights/checkDenoiser(_:)``).
    public static func overrides(for network: LoRAFusionTarget, references: [LoRAReference],
                                 hasSecondTextEncoder: Bool = false) throws -> [String: Tensor] {
        let loras = try references.map { (weights: try LoRAWeights(path: $0.path), scale: $0.scale) }
        for (weights, _) in loras {
            try weights.checkSecondTextEncoder(present: hasSecondTextEncoder || network.target == .textEncoder2)
            try weights.checkDenoiser(network.target)
        }
        return try overrides(for: network, loras: loras)
    }

    /// The module path `layer` names in `network`.
    static func resolve(_ layer: LoRALayer, in network: LoRAFusionTarget, file: String) throws -> String {
        let candidates = network.index.modules(named: layer.module, spelling: layer.spelling)
        guard let module = candidates.first else {
            throw LoRAError.unmatchedModule(file: file, key: layer.downKey, module: layer.module, target: network.target, weights: network.weightsPath)
        }
        guard candidates.count == 1 else {
            throw LoRAError.ambiguousModule(file: file, key: layer.downKey, candidates: candidates)
        }
        return module
    }

    /// Linear [out, in]: down [r, in] or [r, in, 1, 1]. Convolution [out, in, kh, kw]: down
    /// [r, in, kh, kw], or for a 1x1 convolution also [r, in]. Up: [out, r] or [out, r, 1, 1].
    static func fits(_ layer: LoRALayer, weightShape: [Int]) -> Bool {
        guard weightShape.count == 2 || weightShape.count == 4, layer.up.shape[0] == weightShape[0],
              layer.down.shape[1] == weightShape[1] else { return false }
        let weightKernel = weightShape.count == 4 ? Array(weightShape[2...]) : [1, 1]
        let downKernel = layer.down.rank == 4 ? Array(layer.down.shape[2...]) : [1, 1]
        return weightKernel == downKernel
    }
}

extension LoRAWeights {
    /// `overrides` plus this LoRA's layers for `network` fused with strength `scale` (see
    /// ``LoRAFusion/overrides(for:loras:onto:)``).
    public func fused(into network: LoRAFusionTarget, scale: Float = 1, onto overrides: [String: Tensor] = [:]) throws -> [String: Tensor] {
        try LoRAFusion.overrides(for: network, loras: [(self, scale)], onto: overrides)
    }
}
