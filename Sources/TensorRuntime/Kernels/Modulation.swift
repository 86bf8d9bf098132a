import CKernels

extension Tensor {
    /// self + gate[b] * value for self and value [B, S, D] and per-sample gates [B, D]: the
    /// gated residual of adaLN-Zero blocks (`hidden + gate.unsqueeze(1) * output`).
    func cpuAddingGated(_ value: Tensor, gate: Tensor) -> Tensor {
        OperationProfiler.measure("add") {
            let batch = shape[0], features = shape[rank - 1]
            let rowsPerSample = count / (batch * features)
            let result = Tensor(uninitializedShape: shape)
            let base = UncheckedSendable(pointer), values = UncheckedSendable(value.pointer)
            let gates = UncheckedSendable(gate.pointer), destination = UncheckedSendable(result.pointer)
            parallelFor(batch * rowsPerSample, minimumPerTask: 64) { row in
                let offset = row * features
                sd_gated_add(base.value + offset, gates.value + (row / rowsPerSample) * features, values.value + offset,
                             destination.value + offset, features)
            }
            return result
        }
    }
}
