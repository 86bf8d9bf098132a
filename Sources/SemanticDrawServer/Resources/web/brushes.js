// Brush operations: every change to the palette goes through here, so that the model, the
// drawing layers, the brush list, the undo stack and the server stay in step.
// A brush exists on the server once it has a prompt (`brush` with `prompt` creates it); until
// then it is painted locally and its mask is sent right after its creation.

import { BRUSH_FIELDS, exportPalette } from './palette.js';

export class BrushController {
  constructor({ model, pad, connection, undo, notify }) {
    this.model = model;
    this.pad = pad;
    this.connection = connection;
    this.undo = undo;
    this.notify = notify;        // (message, isError) => void
    this.view = null;            // PaletteView, set by the app
    this.limit = 32;             // brushes per session (from the server's limits)
    this.pendingImport = null;   // local ids waiting for the server's ids after a `palette`
  }

  // ---- brushes ----

  add() {
    if (this.model.brushes.length >= this.limit) {
      this.notify(`the server allows at most ${this.limit} brushes`, true);
      return null;
    }
    const brush = this.model.makeBrush();
    const index = this.model.brushes.length;
    this.insert(brush, index, null);
    this.select(brush.id);
    this.undo.push({
      label: `add ${brush.name}`,
      undo: () => this.delete(brush.id),
      redo: () => { this.insert({ ...brush, created: false }, index, null); this.select(brush.id); },
    });
    return brush;
  }

  remove(id) {
    const brush = this.model.get(id);
    if (!brush) return;
    const index = this.model.index(id);
    const layer = this.pad.snapshot(id);
    this.delete(id);
    this.undo.push({
      label: `delete ${brush.name}`,
      undo: () => { this.insert({ ...brush, created: false }, index, layer); this.select(id); },
      redo: () => this.delete(id),
    });
  }

  // Moves a brush by delta places towards the front (+1) or the back (-1).
  move(id, delta) {
    const before = this.model.ids();
    const index = this.model.index(id);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= before.length) return;
    const after = before.slice();
    after.splice(index, 1);
    after.splice(target, 0, id);
    this.reorder(after);
    this.undo.push({ label: 'reorder', undo: () => this.reorder(before), redo: () => this.reorder(after) });
  }

  // Sets one field (BRUSH_FIELDS). With `previous` given, records an undo entry from it.
  edit(id, field, value, previous) {
    if (!BRUSH_FIELDS.includes(field)) throw new Error(`unknown brush field ${field}`);
    this.apply(id, field, value);
    if (previous !== undefined && previous !== value) {
      this.undo.push({
        label: `${field.replace('_', ' ')} of ${this.model.get(id)?.name ?? id}`,
        undo: () => this.apply(id, field, previous),
        redo: () => this.apply(id, field, value),
      });
    }
  }

  select(id) {
    this.model.selectedId = id;
    this.pad.activeId = id;
    if (this.view) this.view.markSelected(id);
  }

  // ---- strokes ----

  // Called by the pad when a stroke ends: records it and sends the layer's newest mask.
  strokeEnded(id, before) {
    const after = this.pad.snapshot(id);
    this.undo.push({
      label: 'stroke',
      undo: () => { this.pad.restore(id, before); this.sendMask(id); },
      redo: () => { this.pad.restore(id, after); this.sendMask(id); },
    });
    this.sendMask(id);
  }

  sendMask(id) {
    const brush = this.model.get(id);
    if (brush && brush.created) this.connection.mask(id, this.pad.maskDataURL(id));
  }

  // ---- import and reconnect ----

  // Replaces the whole palette with a parsed palette file (palette.js parsePalette), rebuilds
  // the layers and sends one `palette` message. Import is not undoable: it clears the history.
  async importPalette(parsed, info) {
    for (const id of this.model.ids()) this.pad.removeLayer(id);
    this.model.brushes = [];
    this.model.selectedId = null;
    for (const source of parsed.brushes) {
      const { mask, ...fields } = source;
      const brush = { ...this.model.makeBrush(), ...fields, created: true };
      this.model.add(brush);
      this.pad.addLayer(brush.id, brush.color);
      await this.pad.loadMask(brush.id, mask);
    }
    this.model.background = { ...parsed.background };
    this.model.seed = parsed.seed;
    this.model.extras = parsed.extras;
    this.pendingImport = this.model.ids();
    if (this.view) this.view.render();
    if (this.model.brushes.length) this.select(this.model.brushes[this.model.brushes.length - 1].id);
    this.undo.clear();
    const palette = exportPalette(this.model, (id) => this.pad.maskDataURL(id), info);
    this.connection.palette(palette);
    return palette;
  }

  // The server's `state`: after an import, adopt the server's brush ids in order.
  adoptState(state) {
    if (!this.pendingImport || !Array.isArray(state.brushes)) return;
    if (state.brushes.length !== this.pendingImport.length) return;
    state.brushes.forEach((serverId, i) => {
      const brush = this.model.get(this.pendingImport[i]);
      if (!brush || brush.id === serverId) return;
      this.pad.renameLayer(brush.id, serverId);
      if (this.model.selectedId === brush.id) this.model.selectedId = serverId;
      brush.id = serverId;
    });
    this.pendingImport = null;
    if (this.view) this.view.render();
  }

  // The server rejected the `palette` message: send the brushes one by one instead.
  importRejected() {
    if (!this.pendingImport) return;
    this.pendingImport = null;
    this.resendAll();
  }

  // A new session (connect or reconnect): send every brush that has a prompt, with its mask.
  resendAll() {
    for (const brush of this.model.brushes) brush.created = false;
    for (const brush of this.model.brushes) this.create(brush, false);
    this.sendOrder();
    if (this.view) this.view.render();
  }

  // ---- internals (no undo entries) ----

  insert(brush, index, layer) {
    this.model.add(brush, index);
    this.pad.addLayer(brush.id, brush.color, index);
    if (layer) this.pad.restore(brush.id, layer);
    if (this.view) this.view.render();
    this.create(brush, true);
  }

  delete(id) {
    const brush = this.model.get(id);
    if (!brush) return;
    this.model.remove(id);
    this.pad.removeLayer(id);
    if (brush.created) this.connection.removeBrush(id);
    if (this.model.selectedId === null && this.model.brushes.length) {
      this.select(this.model.brushes[this.model.brushes.length - 1].id);
    }
    if (this.view) this.view.render();
  }

  reorder(ids) {
    this.model.setOrder(ids);
    this.pad.setOrder(ids);
    this.sendOrder();
    if (this.view) this.view.render();
  }

  apply(id, field, value) {
    const brush = this.model.get(id);
    if (!brush) return;
    brush[field] = value;
    if (field === 'color') this.pad.setColor(id, value);
    if (this.view) this.view.update(id);
    if (!brush.created) { this.create(brush, true); return; }
    if (field === 'prompt' && !value.trim()) {
      this.notify(`${brush.name}: a brush needs a prompt; the server keeps the previous one`, true);
      return;
    }
    this.connection.brush(id, { [field]: value });
  }

  // Creates the brush on the server when it has a prompt, then sends its mask and the order.
  create(brush, sendOrder) {
    if (brush.created || !brush.prompt.trim()) return;
    const fields = {
      prompt: brush.prompt, prompt_strength: brush.prompt_strength, mask_alpha: brush.mask_alpha,
      mask_blur: brush.mask_blur, name: brush.name, color: brush.color,
    };
    if (brush.negative_prompt.trim()) fields.negative_prompt = brush.negative_prompt;
    if (!this.connection.brush(brush.id, fields)) return;
    brush.created = true;
    if (this.pad.coverage(brush.id) > 0) this.sendMask(brush.id);
    if (sendOrder) this.sendOrder();
    if (this.view) this.view.update(brush.id);
  }

  sendOrder() {
    const ids = this.model.brushes.filter((brush) => brush.created).map((brush) => brush.id);
    if (ids.length > 1) this.connection.order(ids);
  }
}
