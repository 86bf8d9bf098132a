/// The networks a live stream runs on, shared by every ``StreamSession`` of one model worker:
/// the same bundle as the one-shot pipeline (text encoder, tokenizer, UNet, autoencoder —
/// normally TAESD for the stream, as ALGORITHM.md §5 prescribes — and the scheduler
/// configuration), which holds no per-session state. A server loads one and opens one session per
/// connected palette.
public typealias StreamModels = RegionPipeline
