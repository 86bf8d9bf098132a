// The brush list (#brushes): one .brush-item per brush, front-most brush on top (as in a
// painter's layer panel). Text fields commit on change (blur or Enter); sliders apply while
// dragging (fast path) and record one undo step when released.

const SLIDERS = [
  { field: 'prompt_strength', cls: 'brush-strength', label: 'Prompt strength', min: 0, max: 1, step: 0.01 },
  { field: 'mask_alpha', cls: 'brush-alpha', label: 'Mask alpha', min: 0, max: 1, step: 0.01 },
  { field: 'mask_blur', cls: 'brush-blur', label: 'Mask blur (px)', min: 0, max: 32, step: 0.5 },
];

export class PaletteView {
  constructor(list, controller) {
    this.list = list;
    this.controller = controller;
    this.model = controller.model;
  }

  render() {
    const items = this.model.brushes.slice().reverse().map((brush) => this.item(brush));
    this.list.replaceChildren(...items);
    this.markSelected(this.model.selectedId);
  }

  markSelected(id) {
    for (const item of this.list.querySelectorAll('.brush-item')) {
      item.classList.toggle('selected', item.dataset.id === id);
      item.setAttribute('aria-selected', String(item.dataset.id === id));
    }
  }

  // Refreshes one item's controls from the model (after an undo, an import or a server sync).
  update(id) {
    const item = this.list.querySelector(`.brush-item[data-id="${CSS.escape(id)}"]`);
    const brush = this.model.get(id);
    if (!item || !brush) return;
    const set = (selector, value) => {
      const input = item.querySelector(selector);
      if (input && document.activeElement !== input && input.value !== String(value)) input.value = value;
    };
    set('.brush-name', brush.name);
    set('.brush-color', brush.color.toLowerCase());
    set('.brush-prompt', brush.prompt);
    set('.brush-negative-prompt', brush.negative_prompt);
    for (const slider of SLIDERS) {
      set(`.${slider.cls}`, brush[slider.field]);
      item.querySelector(`.${slider.cls}-value`).textContent = format(brush[slider.field]);
    }
    item.style.setProperty('--brush-color', brush.color);
    item.querySelector('.brush-state').textContent = brush.created ? '' : 'enter a prompt to send this brush';
  }

  item(brush) {
    const id = brush.id;
    const c = this.controller;
    const item = element('li', 'brush-item');
    item.dataset.id = id;
    item.addEventListener('pointerdown', () => { if (this.model.selectedId !== id) c.select(id); });

    const head = element('div', 'brush-head');
    const color = input('color', 'brush-color', brush.color.toLowerCase(), 'Colour (display only)');
    color.addEventListener('input', () => { c.pad.setColor(id, color.value.toUpperCase()); });
    color.addEventListener('change', () => commit(c, id, 'color', color.value.toUpperCase()));
    const name = input('text', 'brush-name', brush.name, 'Name');
    name.addEventListener('change', () => {
      if (!name.value.trim()) { name.value = this.model.get(id).name; return; }
      commit(c, id, 'name', name.value.trim());
    });
    const up = button('brush-up', '▲', 'Move towards the front');
    up.addEventListener('click', () => c.move(id, +1));
    const down = button('brush-down', '▼', 'Move towards the back');
    down.addEventListener('click', () => c.move(id, -1));
    const del = button('brush-delete', '✕', 'Delete this brush');
    del.addEventListener('click', () => c.remove(id));
    head.append(color, name, up, down, del);

    const prompt = textArea('brush-prompt', brush.prompt, 'Prompt: what to paint here');
    prompt.addEventListener('change', () => commit(c, id, 'prompt', prompt.value));
    const negative = textArea('brush-negative-prompt', brush.negative_prompt, 'Negative prompt (optional)');
    negative.addEventListener('change', () => commit(c, id, 'negative_prompt', negative.value));

    item.append(head, prompt, negative);
    for (const spec of SLIDERS) item.append(this.slider(brush, spec));
    item.append(element('div', 'brush-state'));
    item.style.setProperty('--brush-color', brush.color);
    queueMicrotask(() => this.update(id));
    return item;
  }

  slider(brush, spec) {
    const c = this.controller;
    const id = brush.id;
    const row = element('label', 'brush-slider');
    const caption = element('span', 'brush-slider-label');
    caption.textContent = spec.label;
    const range = input('range', spec.cls, brush[spec.field], spec.label);
    Object.assign(range, { min: spec.min, max: spec.max, step: spec.step });
    range.value = brush[spec.field];
    const value = element('span', `${spec.cls}-value slider-value`);
    value.textContent = format(brush[spec.field]);
    let before = null;
    range.addEventListener('input', () => {
      if (before === null) before = this.model.get(id)[spec.field];
      c.edit(id, spec.field, Number(range.value));
    });
    range.addEventListener('change', () => {
      const start = before === null ? this.model.get(id)[spec.field] : before;
      before = null;
      c.edit(id, spec.field, Number(range.value), start);
    });
    row.append(caption, range, value);
    return row;
  }
}

function commit(controller, id, field, value) {
  const brush = controller.model.get(id);
  if (!brush) return;
  controller.edit(id, field, value, brush[field]);
}

function format(number) { return Number(number).toFixed(2).replace(/\.?0+$/, '') || '0'; }

function element(tag, cls) {
  const node = document.createElement(tag);
  node.className = cls;
  return node;
}

function input(type, cls, value, label) {
  const node = element('input', cls);
  node.type = type;
  node.value = value;
  node.title = label;
  node.setAttribute('aria-label', label);
  return node;
}

function textArea(cls, value, placeholder) {
  const node = element('textarea', cls);
  node.rows = 2;
  node.maxLength = 1000; // the server's prompt limit (docs/PROTOCOL.md)
  node.value = value;
  node.placeholder = placeholder;
  node.setAttribute('aria-label', placeholder);
  // Enter commits (a prompt is one line); Shift+Enter inserts a newline.
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); node.blur(); }
  });
  return node;
}

function button(cls, text, title) {
  const node = element('button', cls);
  node.type = 'button';
  node.textContent = text;
  node.title = title;
  node.setAttribute('aria-label', title);
  return node;
}
