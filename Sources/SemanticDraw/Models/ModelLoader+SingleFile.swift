import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// A single-file LDM checkpoint (see docs/SINGLE_FILE.md).
    func loadSingleFile(_ path: String, configurationFolder: String?, loras: [LoRAReference]) throws
        -> (CLIPTextModel, CLIPTokenizer, UNet2DConditionModel, AutoencoderKL?, SchedulerConfiguration) {
        throw ModelResolutionError.unsupportedFile(path: path, reason: "single-file checkpoints: loader not wired yet")
    }
}
