// The WebSocket client of docs/PROTOCOL.md (version 1): one socket = one session.
// Text messages are JSON objects with a "type"; binary messages are JPEG frames, each announced
// by a `frame` JSON message just before it.

export class Connection {
  constructor(url) {
    this.url = url;
    this.socket = null;
    this.handlers = new Map();   // type -> [callback]
    this.pendingFrame = null;    // the `frame` message whose JPEG comes next
    this.sent = {};              // type -> count (read by the browser test)
    this.received = {};
  }

  // Registers a callback for a server message type, or for the pseudo-types
  // "open", "close", "jpeg" (a frame with its image: {meta, blob}).
  on(type, callback) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(callback);
  }

  emit(type, payload) {
    for (const callback of this.handlers.get(type) || []) {
      try { callback(payload); } catch (error) { console.error(`handler for ${type}:`, error); }
    }
  }

  connect() {
    const socket = new WebSocket(this.url);
    socket.binaryType = 'blob';
    this.socket = socket;
    socket.addEventListener('open', () => this.emit('open', null));
    socket.addEventListener('close', (event) => {
      this.pendingFrame = null;
      this.emit('close', event);
    });
    socket.addEventListener('message', (event) => this.receive(event.data));
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  receive(data) {
    if (typeof data !== 'string') {
      const meta = this.pendingFrame;
      this.pendingFrame = null;
      if (meta === null) { console.warn('binary message without a frame announcement'); return; }
      this.emit('jpeg', { meta, blob: new Blob([data], { type: 'image/jpeg' }) });
      return;
    }
    let message;
    try { message = JSON.parse(data); } catch (error) {
      this.emit('error', { message: `the server sent malformed JSON: ${error.message}`, request: null });
      return;
    }
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
    this.received[message.type] = (this.received[message.type] || 0) + 1;
    if (message.type === 'frame') this.pendingFrame = message;
    this.emit(message.type, message);
  }

  // Sends one message; returns false (and drops it) when the socket is not open.
  send(type, fields = {}) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify({ type, ...fields }));
    this.sent[type] = (this.sent[type] || 0) + 1;
    return true;
  }

  // Client-to-server messages, one helper each.
  brush(id, fields) { return this.send('brush', { id, ...fields }); }
  mask(id, dataURL) { return this.send('mask', { id, mask: dataURL }); }
  removeBrush(id) { return this.send('remove_brush', { id }); }
  order(ids) { return this.send('order', { ids }); }
  background(prompt, negativePrompt, image) {
    return this.send('background', { prompt, negative_prompt: negativePrompt, image });
  }
  seed(seed) { return this.send('seed', { seed }); }
  play() { return this.send('play'); }
  pause() { return this.send('pause'); }
  palette(palette) { return this.send('palette', { palette }); }
  save() { return this.send('save'); }
}

// ws://host/ws (or wss://) for the page's own origin.
export function socketURL(location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
