// The brush list model (the semantic palette) and palette JSON v1 import/export (docs/PALETTE.md).

export const BRUSH_COLORS = ['#E8684A', '#5B8FF9', '#5AD8A6', '#F6BD16', '#9270CA',
  '#FF9D4D', '#269A99', '#FF99C3', '#6DC8EC', '#945FB9'];

export const DEFAULTS = { prompt_strength: 1.0, mask_alpha: 1.0, mask_blur: 8.0 }; // the live stream's blur
export const BRUSH_FIELDS = ['name', 'color', 'prompt', 'negative_prompt', 'prompt_strength', 'mask_alpha', 'mask_blur'];
// Palette keys kept from an imported file and written back on export (the server ignores them).
const CARRIED_KEYS = ['schedule', 'guidance', 'bootstrap_steps', 'bootstrap_mix', 'quantization'];

let counter = 0;
export function newBrushId() {
  counter += 1;
  return `b${Date.now().toString(36)}${counter}`;
}

export class PaletteModel {
  constructor() {
    this.brushes = [];   // back to front: {id, name, color, prompt, negative_prompt, prompt_strength, mask_alpha, mask_blur, created}
    this.background = { prompt: '', negative_prompt: '', image: null };
    this.seed = 0;
    this.extras = {};
    this.selectedId = null;
  }

  get(id) { return this.brushes.find((brush) => brush.id === id) || null; }
  index(id) { return this.brushes.findIndex((brush) => brush.id === id); }
  ids() { return this.brushes.map((brush) => brush.id); }

  // A fresh brush with the next free colour and name (not yet added).
  makeBrush() {
    const used = new Set(this.brushes.map((brush) => brush.color.toUpperCase()));
    const color = BRUSH_COLORS.find((c) => !used.has(c)) || BRUSH_COLORS[this.brushes.length % BRUSH_COLORS.length];
    let n = this.brushes.length + 1;
    while (this.brushes.some((brush) => brush.name === `Brush ${n}`)) n += 1;
    return { id: newBrushId(), name: `Brush ${n}`, color, prompt: '', negative_prompt: '', ...DEFAULTS, created: false };
  }

  add(brush, index = this.brushes.length) { this.brushes.splice(index, 0, brush); }

  remove(id) {
    const index = this.index(id);
    if (index < 0) return null;
    const [brush] = this.brushes.splice(index, 1);
    if (this.selectedId === id) this.selectedId = null;
    return { brush, index };
  }

  setOrder(ids) {
    const byId = new Map(this.brushes.map((brush) => [brush.id, brush]));
    this.brushes = ids.map((id) => byId.get(id)).filter(Boolean);
  }
}

// The palette object (docs/PALETTE.md) of the current state, masks embedded as data URLs.
// maskOf(id) gives a brush's mask data URL; info is the server's `ready` message.
export function exportPalette(model, maskOf, info) {
  const background = {};
  if (model.background.prompt.trim()) background.prompt = model.background.prompt;
  if (model.background.negative_prompt.trim()) background.negative_prompt = model.background.negative_prompt;
  if (model.background.image) background.image = { data: model.background.image };
  const palette = {
    version: 1,
    width: info.width,
    height: info.height,
    seed: model.seed,
    model: info.model || 'tiny-random',
    background,
    brushes: model.brushes.map((brush) => {
      const out = {
        name: brush.name,
        color: brush.color,
        prompt: brush.prompt,
        mask: { data: maskOf(brush.id) },
        mask_alpha: brush.mask_alpha,
        mask_blur: brush.mask_blur,
        prompt_strength: brush.prompt_strength,
      };
      if (brush.negative_prompt.trim()) out.negative_prompt = brush.negative_prompt;
      return out;
    }),
  };
  for (const key of CARRIED_KEYS) if (key in model.extras) palette[key] = model.extras[key];
  return palette;
}

// Parses and checks a palette JSON text; throws an Error naming the JSON path of the problem.
// Returns {brushes: [{name, color, prompt, negative_prompt, prompt_strength, mask_alpha, mask_blur, mask}],
//          background: {prompt, negative_prompt, image}, seed, extras}; masks are data URLs or null.
export function parsePalette(text) {
  let json;
  try { json = JSON.parse(text); } catch (error) { throw new Error(`not JSON: ${error.message}`); }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('a palette is a JSON object');
  if (json.version === undefined) throw new Error('version: is missing (this page reads version 1)');
  if (json.version !== 1) throw new Error(`palette version ${json.version} is not supported (this page reads version 1)`);
  if (!Array.isArray(json.brushes)) throw new Error('brushes: expected a list');
  const seed = json.seed === undefined ? 0 : json.seed;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed: ${JSON.stringify(seed)} is not an integer >= 0`);
  const bg = json.background || {};
  const background = {
    prompt: optionalString(bg.prompt, 'background.prompt'),
    negative_prompt: optionalString(bg.negative_prompt, 'background.negative_prompt'),
    image: bg.image === undefined ? null : imageData(bg.image, 'background.image'),
  };
  const brushes = json.brushes.map((brush, i) => {
    const path = `brushes[${i}]`;
    if (typeof brush !== 'object' || brush === null) throw new Error(`${path}: expected an object`);
    if (typeof brush.name !== 'string' || !brush.name) throw new Error(`${path}.name: expected a non-empty string`);
    if (typeof brush.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(brush.color)) {
      throw new Error(`${path}.color: ${JSON.stringify(brush.color)} is not a colour of the form #RRGGBB`);
    }
    if (typeof brush.prompt !== 'string' || !brush.prompt.trim()) throw new Error(`${path}.prompt: is empty (a brush paints its prompt)`);
    if (brush.mask === undefined) throw new Error(`${path}.mask: is missing`);
    return {
      name: brush.name,
      color: brush.color.toUpperCase(),
      prompt: brush.prompt,
      negative_prompt: optionalString(brush.negative_prompt, `${path}.negative_prompt`),
      prompt_strength: number(brush.prompt_strength, DEFAULTS.prompt_strength, 0, 1, `${path}.prompt_strength`),
      mask_alpha: number(brush.mask_alpha, 1.0, 0, 1, `${path}.mask_alpha`),
      mask_blur: number(brush.mask_blur, 1.0, 0, Infinity, `${path}.mask_blur`),
      mask: imageData(brush.mask, `${path}.mask`),
    };
  });
  const extras = {};
  for (const key of CARRIED_KEYS) if (key in json) extras[key] = json[key];
  return { brushes, background, seed, extras };
}

function optionalString(value, path) {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new Error(`${path}: expected a string`);
  return value;
}

function number(value, fallback, low, high, path) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${path}: expected a number`);
  if (value < low || value > high) throw new Error(`${path}: ${value} is outside ${low}...${high}`);
  return value;
}

// An image reference: only embedded PNG data can be read in a browser.
function imageData(reference, path) {
  if (typeof reference !== 'object' || reference === null) throw new Error(`${path}: expected {"data": ...} or {"file": ...}`);
  if (typeof reference.data === 'string') {
    if (!reference.data.startsWith('data:image/png;base64,')) throw new Error(`${path}: only PNG data URLs are supported`);
    return reference.data;
  }
  if (typeof reference.file === 'string') {
    throw new Error(`${path}: the file ${reference.file} cannot be read by the browser (export the palette with masks embedded)`);
  }
  throw new Error(`${path}: expected {"data": ...} or {"file": ...}`);
}
