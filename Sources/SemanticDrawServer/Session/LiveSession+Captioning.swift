import Captioning
import Foundation
import SemanticDraw

extension LiveSession {
    /// The background changed: a caption computing for the old one stops, and a background image
    /// without a prompt (captioning allowed, a captioner configured) is captioned off the frame
    /// loop. Frames keep coming meanwhile, with the image and no prompt (docs/ALGORITHM.md §4 (b));
    /// `state.busy` says `"captioning"` until the `caption` message.
    func restartCaptioning() {
        captionTask?.cancel()
        captionTask = nil
        backgroundNumber += 1
        guard let captions, palette.backgroundNeedsCaption, let png = palette.backgroundPNG else { return }
        let number = backgroundNumber
        captionTask = Task {
            let outcome: Result<(caption: Caption, seconds: Double), any Error>
            do {
                outcome = .success(try await captions.caption(png: png))
            } catch {
                outcome = .failure(error)
            }
            await self.finishCaption(outcome, background: number, captioner: captions.captioner.name)
        }
    }

    /// Applies a finished caption to the background it was computed for (none when the
    /// background changed meanwhile) and tells the client: `caption` with the prompt, or with a
    /// note when there is none (the captioner could not be loaded, failed, or said nothing).
    private func finishCaption(_ outcome: Result<(caption: Caption, seconds: Double), any Error>, background number: Int,
                               captioner: String) async {
        guard number == backgroundNumber else { return }
        captionTask = nil
        switch outcome {
        case .success(let result) where !result.caption.text.isEmpty:
            for update in updatePalette({ $0.applyCaption(result.caption.text) }) { stream.enqueue(update) }
            send(.text(ServerMessage.caption(prompt: result.caption.text, seconds: result.seconds, note: nil)))
        case .success(let result):
            send(.text(ServerMessage.caption(prompt: nil, seconds: result.seconds,
                                             note: "the captioner \(captioner) gave an empty caption; the background image keeps no prompt")))
        case .failure(let error):
            send(.text(ServerMessage.caption(prompt: nil, seconds: nil,
                                             note: "background captioning with \(captioner) is unavailable (the background image keeps no prompt): \(error)")))
        }
        await sendState()
    }

    /// Stops a caption in progress (the socket closed).
    func stopCaptioning() {
        captionTask?.cancel()
        captionTask = nil
        backgroundNumber += 1
    }
}
