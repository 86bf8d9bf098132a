// The drawing pad: one offscreen layer per brush at the server's canvas size, shown as colour
// overlays over the background. A layer is white with alpha = coverage (0 = outside, 1 = inside);
// strokes are soft, anti-aliased round dabs (never quantised), so the masks are soft too.
// A layer's PNG (canvas.toDataURL) is the brush's mask as the server reads it: RGBA alpha.

import { maskToCoverage } from './masks.js';

const HARDNESS = 0.5;         // fraction of the radius painted at full strength
const OVERLAY_OPACITY = 0.55; // how strongly the brush colours cover the background

export class DrawingPad {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.layers = new Map();  // id -> {canvas, ctx, tint, tintDirty, color}
    this.order = [];          // ids, back to front
    this.background = null;   // an image drawn under the layers (canvas size)
    this.activeId = null;
    this.tool = 'brush';      // 'brush' | 'eraser'
    this.size = 8;            // diameter in canvas pixels
    this.stroke = null;       // {id, before, last}
    this.hover = null;        // pointer position for the cursor outline
    this.onStrokeEnd = null;  // (id, beforeImageData) => void
    this.onNeedsLayer = null; // () => id or null: called when painting with no brush selected
    this.dirty = true;
    this.attachPointer();
    const loop = () => { if (this.dirty) this.render(); requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  }

  get width() { return this.canvas.width; }
  get height() { return this.canvas.height; }

  // Sets the canvas size (the server's); layers are resized (their content scaled).
  resize(width, height) {
    if (width === this.width && height === this.height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.style.aspectRatio = `${width} / ${height}`;
    for (const layer of this.layers.values()) {
      const old = layer.canvas;
      layer.canvas = makeCanvas(width, height);
      layer.ctx = layer.canvas.getContext('2d', { willReadFrequently: true });
      layer.ctx.drawImage(old, 0, 0, width, height);
      layer.tint = makeCanvas(width, height);
      layer.tintDirty = true;
    }
    this.size = Math.max(2, Math.round(Math.min(width, height) / 12));
    this.dirty = true;
  }

  addLayer(id, color, index = this.order.length) {
    const canvas = makeCanvas(this.width, this.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.layers.set(id, { canvas, ctx, tint: makeCanvas(this.width, this.height), tintDirty: true, color });
    this.order.splice(index, 0, id);
    this.dirty = true;
  }

  removeLayer(id) {
    this.layers.delete(id);
    this.order = this.order.filter((other) => other !== id);
    if (this.activeId === id) this.activeId = null;
    this.dirty = true;
  }

  renameLayer(oldId, newId) {
    const layer = this.layers.get(oldId);
    if (!layer || oldId === newId) return;
    this.layers.delete(oldId);
    this.layers.set(newId, layer);
    this.order = this.order.map((id) => (id === oldId ? newId : id));
    if (this.activeId === oldId) this.activeId = newId;
  }

  setOrder(ids) { this.order = ids.filter((id) => this.layers.has(id)); this.dirty = true; }

  setColor(id, color) {
    const layer = this.layers.get(id);
    if (!layer) return;
    layer.color = color;
    layer.tintDirty = true;
    this.dirty = true;
  }

  setBackground(image) { this.background = image; this.dirty = true; }

  snapshot(id) {
    const layer = this.layers.get(id);
    return layer ? layer.ctx.getImageData(0, 0, this.width, this.height) : null;
  }

  restore(id, imageData) {
    const layer = this.layers.get(id);
    if (!layer || !imageData) return;
    layer.ctx.putImageData(imageData, 0, 0);
    layer.tintDirty = true;
    this.dirty = true;
  }

  // The brush's mask: a PNG data URL at the canvas size, alpha = coverage.
  maskDataURL(id) {
    const layer = this.layers.get(id);
    return layer ? layer.canvas.toDataURL('image/png') : null;
  }

  // Sum of the coverage over all pixels (in pixels): a quick check for tests and for empty layers.
  coverage(id) {
    const data = this.snapshot(id);
    if (!data) return 0;
    let sum = 0;
    for (let i = 3; i < data.data.length; i += 4) sum += data.data[i];
    return sum / 255;
  }

  // Replaces a layer with a mask PNG data URL (any PNG layout of docs/PALETTE.md, any size).
  async loadMask(id, dataURL) {
    const layer = this.layers.get(id);
    if (!layer) return;
    const imageData = await maskToCoverage(dataURL, this.width, this.height);
    this.restore(id, imageData);
  }

  // ---- pointer input ----

  attachPointer() {
    const canvas = this.canvas;
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      let id = this.activeId;
      if ((!id || !this.layers.has(id)) && this.onNeedsLayer) id = this.onNeedsLayer();
      if (!id || !this.layers.has(id)) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      const point = this.toCanvas(event);
      this.stroke = { id, before: this.snapshot(id), last: point };
      this.dab(id, point);
    });
    canvas.addEventListener('pointermove', (event) => {
      this.hover = this.toCanvas(event);
      this.dirty = true;
      if (!this.stroke) return;
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const sub of (events.length ? events : [event])) this.segment(this.toCanvas(sub));
    });
    const end = (event) => {
      if (!this.stroke) return;
      const { id, before } = this.stroke;
      this.stroke = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      if (this.onStrokeEnd) this.onStrokeEnd(id, before);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('pointerleave', () => { this.hover = null; this.dirty = true; });
  }

  // Client (CSS) coordinates to canvas pixels: the canvas is scaled to fit the window.
  toCanvas(event) {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (this.width / rect.width),
      y: (event.clientY - rect.top) * (this.height / rect.height),
    };
  }

  segment(point) {
    const { id, last } = this.stroke;
    const distance = Math.hypot(point.x - last.x, point.y - last.y);
    const spacing = Math.max(0.5, this.size * 0.15);
    if (distance < spacing) return;
    const steps = Math.floor(distance / spacing);
    for (let i = 1; i <= steps; i += 1) {
      const t = (i * spacing) / distance;
      this.dab(id, { x: last.x + (point.x - last.x) * t, y: last.y + (point.y - last.y) * t });
    }
    const t = (steps * spacing) / distance;
    this.stroke.last = { x: last.x + (point.x - last.x) * t, y: last.y + (point.y - last.y) * t };
  }

  // One soft round dab: full coverage inside HARDNESS * radius, falling smoothly to 0 at the edge.
  dab(id, { x, y }) {
    const layer = this.layers.get(id);
    const ctx = layer.ctx;
    const radius = Math.max(0.5, this.size / 2);
    const gradient = ctx.createRadialGradient(x, y, 0, x, y, radius);
    gradient.addColorStop(0, 'rgba(255,255,255,1)');
    gradient.addColorStop(HARDNESS, 'rgba(255,255,255,1)');
    gradient.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.save();
    ctx.globalCompositeOperation = this.tool === 'eraser' ? 'destination-out' : 'source-over';
    ctx.fillStyle = gradient;
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.restore();
    layer.tintDirty = true;
    this.dirty = true;
  }

  // ---- display ----

  render() {
    this.dirty = false;
    const ctx = this.ctx;
    ctx.globalAlpha = 1;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, this.width, this.height);
    if (this.background) ctx.drawImage(this.background, 0, 0, this.width, this.height);
    ctx.globalAlpha = OVERLAY_OPACITY;
    for (const id of this.order) {
      const layer = this.layers.get(id);
      if (layer.tintDirty) this.tint(layer);
      ctx.drawImage(layer.tint, 0, 0);
    }
    ctx.globalAlpha = 1;
    if (this.hover) {
      ctx.strokeStyle = this.tool === 'eraser' ? 'rgba(0,0,0,0.8)' : 'rgba(255,255,255,0.9)';
      ctx.lineWidth = Math.max(0.5, this.width / 400);
      ctx.beginPath();
      ctx.arc(this.hover.x, this.hover.y, Math.max(0.5, this.size / 2), 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  tint(layer) {
    const ctx = layer.tint.getContext('2d');
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(layer.canvas, 0, 0);
    ctx.globalCompositeOperation = 'source-in';
    ctx.fillStyle = layer.color;
    ctx.fillRect(0, 0, layer.tint.width, layer.tint.height);
    ctx.globalCompositeOperation = 'source-over';
    layer.tintDirty = false;
  }
}

export function makeCanvas(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}
