/// Where a tensor's storage lives, and so which ``TensorBackend`` computes on it.
///
/// Only host memory exists today. A GPU backend adds a case here, storage that allocates on
/// that device, and a ``TensorBackend`` that implements the operations there
/// (docs/ARCHITECTURE.md, "Where things plug in").
public enum Device: String, Sendable, Hashable, CaseIterable {
    /// Host memory, computed on by ``CPUBackend``.
    case cpu

    /// The backend that computes on tensors stored on this device.
    public var backend: any TensorBackend {
        switch self {
        case .cpu: return CPUBackend.shared
        }
    }
}
