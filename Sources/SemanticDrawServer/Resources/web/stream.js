// The stream display: JPEG frames shown in #frame through Blob URLs, play/pause state, the
// measured frame rate and seconds per frame, the per-frame progress and the busy state.

const FPS_WINDOW_MS = 3000;

export class StreamView {
  constructor(elements, slotsOf) {
    this.el = elements;       // {frame, frameCount, fps, secondsPerFrame, progress, busy, precompute, play, pause, placeholder}
    this.slotsOf = slotsOf;   // () => the server's slot count T
    this.url = null;
    this.count = 0;
    this.arrivals = [];       // arrival times (ms) within the FPS window
    this.playing = false;
    this.busy = null;
    this.lastMeta = null;
  }

  // A `frame` message with its JPEG.
  show({ meta, blob }) {
    const previous = this.url;
    this.url = URL.createObjectURL(blob);
    this.el.frame.src = this.url;
    if (previous) this.el.frame.addEventListener('load', () => URL.revokeObjectURL(previous), { once: true });
    this.el.frame.hidden = false;
    this.el.placeholder.hidden = true;
    this.count += 1;
    this.lastMeta = meta;
    this.el.frameCount.textContent = String(this.count);
    this.el.frame.dataset.index = String(meta.index);
    this.el.frame.dataset.reflectsLatest = String(Boolean(meta.reflects_latest));
    const now = performance.now();
    this.arrivals.push(now);
    while (this.arrivals.length && now - this.arrivals[0] > FPS_WINDOW_MS) this.arrivals.shift();
    this.el.fps.textContent = this.fps().toFixed(1);
    if (typeof meta.seconds === 'number') this.el.secondsPerFrame.textContent = meta.seconds.toFixed(3);
    this.el.progress.textContent = '';
    this.el.progress.classList.remove('active');
    this.updateNotes();
  }

  fps() {
    const n = this.arrivals.length;
    if (n < 2) return 0;
    const span = (this.arrivals[n - 1] - this.arrivals[0]) / 1000;
    return span > 0 ? (n - 1) / span : 0;
  }

  // A `state` message.
  state(state) {
    this.playing = Boolean(state.playing);
    this.busy = state.busy ?? null;
    this.el.play.disabled = this.playing;
    this.el.pause.disabled = !this.playing;
    document.body.classList.toggle('playing', this.playing);
    if (!this.playing) {
      this.arrivals = [];
      this.el.fps.textContent = '0.0';
      this.el.progress.textContent = '';
      this.el.progress.classList.remove('active');
    }
    this.updateNotes();
  }

  // A `progress` message: where this session's next frame is.
  progress(message) {
    const position = message.session_position;
    let text = 'computing a frame…';
    if (typeof position === 'number' && position > 0) {
      text = `queued: ${position} session${position === 1 ? '' : 's'} before yours`;
    }
    this.el.progress.textContent = text;
    this.el.progress.classList.add('active');
  }

  // The stream has no frame yet, or its frames do not show the latest palette yet (the pipe of
  // T slots is filling: a change shows fully T - 1 frames later), or the server is busy.
  // The busy badge: a background caption computing, or a prompt being encoded.
  updateNotes() {
    const label = { captioning: 'captioning background…', encoding: 'encoding prompt…' }[this.busy] ?? null;
    this.el.busy.hidden = label === null;
    if (label !== null) this.el.busy.textContent = label;
    this.el.busy.dataset.busy = this.busy ?? '';
    let note = '';
    if (this.playing) {
      const meta = this.lastMeta;
      const slots = this.slotsOf();
      if (!meta) note = `Precomputing: the stream fills its ${slots} slots before the first frames settle.`;
      else if (meta.reflects_latest === false) {
        note = `Precomputing: your latest edits reach the picture within ${Math.max(1, slots - 1)} frames.`;
      }
    }
    this.el.precompute.textContent = note;
    this.el.precompute.hidden = note === '';
  }

  disconnected() {
    this.playing = false;
    this.el.play.disabled = true;
    this.el.pause.disabled = true;
    this.el.progress.textContent = '';
    this.updateNotes();
  }
}
