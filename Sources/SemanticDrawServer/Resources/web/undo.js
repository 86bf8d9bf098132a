// Undo/redo of strokes and brush edits. Each entry is {label, undo(), redo()}; the functions
// change the page and tell the server, so the stream follows an undo like any other edit.

const LIMIT = 200;

export class UndoStack {
  constructor() {
    this.done = [];
    this.undone = [];
    this.onChange = null;
  }

  push(entry) {
    this.done.push(entry);
    if (this.done.length > LIMIT) this.done.shift();
    this.undone = [];
    this.changed();
  }

  get canUndo() { return this.done.length > 0; }
  get canRedo() { return this.undone.length > 0; }

  undo() {
    const entry = this.done.pop();
    if (!entry) return null;
    entry.undo();
    this.undone.push(entry);
    this.changed();
    return entry.label;
  }

  redo() {
    const entry = this.undone.pop();
    if (!entry) return null;
    entry.redo();
    this.done.push(entry);
    this.changed();
    return entry.label;
  }

  clear() {
    this.done = [];
    this.undone = [];
    this.changed();
  }

  changed() { if (this.onChange) this.onChange(this); }
}
