/// The networks a live stream runs on, shared by every ``StreamSession`` of one model worker:
/// the same bundle as the one-shot pipeline (normally with TAESD as the autoencoder, the
/// paper's set-up: docs/ALGORITHM.md §5 step 6), which holds no per-session state.
public typealias StreamModels = ModelComponents
