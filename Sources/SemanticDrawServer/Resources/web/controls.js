// The page's controls outside the brush list: tools, size, undo/redo, keyboard shortcuts,
// seed, background, play/pause/save and palette import/export.

import { exportPalette, parsePalette } from './palette.js';
import { imageToCanvasPNG, loadImage, readFileAsDataURL, readFileAsText } from './masks.js';

export function attachControls({ $, info, model, pad, undo, connection, controller, stream, notify }) {
  // ---- tools and size ----
  const size = $('#brush-size');
  const sizeValue = $('#brush-size-value');

  function setTool(tool) {
    pad.tool = tool;
    $('#tool-brush').setAttribute('aria-pressed', String(tool === 'brush'));
    $('#tool-eraser').setAttribute('aria-pressed', String(tool === 'eraser'));
    pad.canvas.dataset.tool = tool;
  }

  function setSize(value) {
    const clamped = Math.max(Number(size.min), Math.min(Number(size.max), Math.round(value)));
    pad.size = clamped;
    size.value = clamped;
    sizeValue.textContent = String(clamped);
    pad.dirty = true;
  }

  $('#tool-brush').addEventListener('click', () => setTool('brush'));
  $('#tool-eraser').addEventListener('click', () => setTool('eraser'));
  size.addEventListener('input', () => setSize(Number(size.value)));

  // ---- undo / redo ----
  function doUndo() { const label = undo.undo(); if (label) notify(`undo: ${label}`); }
  function doRedo() { const label = undo.redo(); if (label) notify(`redo: ${label}`); }
  $('#undo').addEventListener('click', doUndo);
  $('#redo').addEventListener('click', doRedo);
  undo.onChange = () => {
    $('#undo').disabled = !undo.canUndo;
    $('#redo').disabled = !undo.canRedo;
  };

  // ---- shortcuts (never while typing in a text field) ----
  window.addEventListener('keydown', (event) => {
    if (isTyping(event.target)) return;
    const key = event.key.toLowerCase();
    const mod = event.ctrlKey || event.metaKey;
    if (mod && key === 'z') { event.preventDefault(); if (event.shiftKey) doRedo(); else doUndo(); return; }
    if (mod && key === 'y') { event.preventDefault(); doRedo(); return; }
    if (mod || event.altKey) return;
    if (key === 'b') setTool('brush');
    else if (key === 'e') setTool('eraser');
    else if (event.key === '[') setSize(pad.size - Math.max(1, Math.round(pad.size * 0.15)));
    else if (event.key === ']') setSize(pad.size + Math.max(1, Math.round(pad.size * 0.15)));
    else return;
    event.preventDefault();
  });

  // ---- brushes ----
  $('#add-brush').addEventListener('click', () => {
    const brush = controller.add();
    if (brush) document.querySelector(`.brush-item[data-id="${CSS.escape(brush.id)}"] .brush-prompt`)?.focus();
  });

  // ---- seed ----
  const seed = $('#seed');
  function sendSeed(value) {
    if (!Number.isInteger(value) || value < 0) { notify('the seed is an integer >= 0', true); showSeed(model.seed); return; }
    model.seed = value;
    connection.seed(value);
  }
  function showSeed(value) {
    model.seed = value;
    if (document.activeElement !== seed) seed.value = String(value);
  }
  seed.addEventListener('change', () => sendSeed(seed.value.trim() === '' ? NaN : Number(seed.value)));
  $('#random-seed').addEventListener('click', () => {
    const value = Math.floor(Math.random() * 2 ** 31);
    seed.value = String(value);
    sendSeed(value);
  });

  // ---- background ----
  const backgroundPrompt = $('#background-prompt');
  const backgroundNegative = $('#background-negative-prompt');
  function sendBackground() {
    model.background.prompt = backgroundPrompt.value;
    model.background.negative_prompt = backgroundNegative.value;
    connection.background(backgroundPrompt.value.trim() ? backgroundPrompt.value : null,
      backgroundNegative.value.trim() ? backgroundNegative.value : null, model.background.image);
  }
  for (const field of [backgroundPrompt, backgroundNegative]) {
    field.addEventListener('change', sendBackground);
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); field.blur(); }
    });
  }
  $('#background-image').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (!file) return;
    try {
      const { dataURL, canvas } = await imageToCanvasPNG(await readFileAsDataURL(file), pad.width, pad.height);
      model.background.image = dataURL;
      pad.setBackground(canvas);
      sendBackground();
    } catch (error) {
      notify(`background image: ${error.message}`, true);
    }
  });
  $('#clear-background').addEventListener('click', () => {
    model.background.image = null;
    pad.setBackground(null);
    sendBackground();
  });
  async function showBackground() {
    backgroundPrompt.value = model.background.prompt;
    backgroundNegative.value = model.background.negative_prompt;
    pad.setBackground(model.background.image ? await loadImage(model.background.image) : null);
  }

  // ---- stream ----
  $('#play').addEventListener('click', () => connection.play());
  $('#pause').addEventListener('click', () => connection.pause());
  $('#save').addEventListener('click', () => {
    if (!stream.count) notify('no frame yet: press Play first; the server saves the latest frame', true);
    if (connection.save()) notify('saving…');
  });

  // ---- palette import / export ----
  $('#export-palette').addEventListener('click', () => {
    const palette = exportPalette(model, (id) => pad.maskDataURL(id), info);
    const text = `${JSON.stringify(palette, null, 2)}\n`;
    window.semanticDraw.lastExport = text;
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'palette.json';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    if (palette.brushes.some((brush) => !brush.prompt.trim())) {
      notify('exported; note: brushes without a prompt make the file invalid for semantic-draw', true);
    } else {
      notify(`exported ${palette.brushes.length} brushes`);
    }
  });
  $('#import-palette').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (!file) return;
    try {
      const parsed = parsePalette(await readFileAsText(file));
      await controller.importPalette(parsed, info);
      showSeed(model.seed);
      await showBackground();
      notify(`imported ${parsed.brushes.length} brushes from ${file.name}`);
    } catch (error) {
      notify(`import: ${error.message}`, true);
    }
  });

  setTool('brush');
  return {
    showSeed,
    canvasResized() {
      size.max = String(Math.max(8, Math.round(Math.max(pad.width, pad.height) / 2)));
      document.querySelector('.frame-holder').style.aspectRatio = `${pad.width} / ${pad.height}`;
      setSize(pad.size);
    },
    // `ready` told which captioner the server has (null: none).
    captionerKnown() {
      backgroundPrompt.placeholder = info.captioner
        ? `Background prompt (optional; an image without one is captioned by ${info.captioner})`
        : 'Background prompt (optional)';
    },
    // A `caption` message (docs/PROTOCOL.md): the server's caption of the background image.
    captionArrived(message) {
      window.semanticDraw.lastCaption = message;
      if (typeof message.prompt === 'string') {
        if (backgroundPrompt.value.trim() === '' && model.background.image) {
          backgroundPrompt.value = message.prompt;
          model.background.prompt = message.prompt;
        }
        notify(`background caption: ${message.prompt}`);
      } else if (message.note) {
        notify(`note: ${message.note}`, true);
      }
    },
    sendBackgroundIfSet() {
      const bg = model.background;
      if (bg.image || bg.prompt.trim() || bg.negative_prompt.trim()) sendBackground();
    },
  };
}

function isTyping(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  if (target.tagName !== 'INPUT') return false;
  return !['range', 'color', 'checkbox', 'radio', 'button', 'submit', 'file'].includes(target.type);
}
