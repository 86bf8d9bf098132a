// The SemanticDraw web app: wires the palette, the drawing pad, the stream display, the
// history and the WebSocket session together (docs/PROTOCOL.md, docs/WEB_APP.md).

import { Connection, socketURL } from './protocol.js';
import { PaletteModel } from './palette.js';
import { DrawingPad } from './drawing.js';
import { UndoStack } from './undo.js';
import { BrushController } from './brushes.js';
import { PaletteView } from './palette-view.js';
import { StreamView } from './stream.js';
import { HistoryList } from './history.js';
import { Notifier } from './notify.js';
import { attachControls } from './controls.js';

const $ = (selector) => document.querySelector(selector);

const info = { width: 512, height: 512, slots: 4, model: 'tiny-random', limits: {}, notes: [], captioner: null };
const notifier = new Notifier($('#status'), $('#toasts'));
const notify = (message, isError = false) => notifier.show(message, isError);

const model = new PaletteModel();
const pad = new DrawingPad($('#pad'));
const undo = new UndoStack();
const connection = new Connection(socketURL(window.location));
const controller = new BrushController({ model, pad, connection, undo, notify });
const view = new PaletteView($('#brushes'), controller);
controller.view = view;
const stream = new StreamView({
  frame: $('#frame'), frameCount: $('#frame-count'), fps: $('#fps'), secondsPerFrame: $('#seconds-per-frame'),
  progress: $('#progress'), busy: $('#busy'), precompute: $('#precompute-note'), play: $('#play'),
  pause: $('#pause'), placeholder: $('#frame-placeholder'),
}, () => info.slots);
const history = new HistoryList($('#history'), (message) => notify(message, true));

pad.onStrokeEnd = (id, before) => controller.strokeEnded(id, before);
pad.onNeedsLayer = () => {
  if (model.brushes.length === 0) {
    notify('Add a brush first (+ Brush), give it a prompt, then paint.', true);
    return null;
  }
  const id = model.brushes[model.brushes.length - 1].id;
  controller.select(id);
  return id;
};

const controls = attachControls({ $, info, model, pad, undo, connection, controller, stream, notify });

// ---- the session ----

let reconnectDelay = 1000;

connection.on('open', () => {
  reconnectDelay = 1000;
  setConnection('connected', 'connected');
});

connection.on('close', () => {
  setConnection(`disconnected: reconnecting in ${Math.round(reconnectDelay / 1000)} s`, 'disconnected');
  stream.disconnected();
  setTimeout(() => connection.connect(), reconnectDelay);
  reconnectDelay = Math.min(reconnectDelay * 2, 15000);
});

connection.on('ready', (message) => {
  Object.assign(info, {
    width: message.width ?? info.width, height: message.height ?? info.height,
    slots: message.slots ?? info.slots, model: message.model ?? info.model,
    limits: message.limits ?? {}, notes: message.notes ?? [], captioner: message.captioner ?? null,
  });
  controls.captionerKnown();
  controller.limit = brushLimit(info.limits);
  pad.resize(info.width, info.height);
  controls.canvasResized();
  $('#model-name').textContent = `${info.model} · ${info.width}×${info.height} · ${info.slots} slots`;
  setConnection(`session ${message.session ?? ''}`.trim(), 'connected');
  $('#play').disabled = false;
  for (const note of info.notes) notify(`note: ${note}`);
  // A new session starts empty on the server: send what this page already has.
  controller.resendAll();
  controls.sendBackgroundIfSet();
  if (model.seed !== 0) connection.seed(model.seed);
  history.refresh();
});

connection.on('state', (message) => {
  stream.state(message);
  controller.adoptState(message);
  if (Number.isInteger(message.seed)) controls.showSeed(message.seed);
});

connection.on('frame', () => {});
connection.on('jpeg', (frame) => stream.show(frame));
connection.on('progress', (message) => stream.progress(message));

// A background caption: the server made it the background prompt; it fills the field unless
// the user typed one meanwhile. Without a caption, the note says why.
connection.on('caption', (message) => controls.captionArrived(message));

connection.on('saved', (message) => {
  notify(`saved ${message.entry?.id ?? ''}`.trim());
  history.refresh();
});

connection.on('error', (message) => {
  const request = message.request ? ` (${message.request})` : '';
  notify(`server: ${message.message}${request}`, true);
  if (message.request === 'palette') controller.importRejected();
});

function setConnection(text, state) {
  const element = $('#connection');
  element.textContent = text;
  element.dataset.state = state;
}

// The brush limit from the server's `limits` object (key names tolerated: brushes,
// max_brushes, brushes_per_session); 32 (docs/PROTOCOL.md) otherwise.
function brushLimit(limits) {
  for (const key of ['brushes', 'max_brushes', 'brushes_per_session']) {
    if (Number.isInteger(limits?.[key]) && limits[key] > 0) return limits[key];
  }
  return 32;
}

async function start() {
  try {
    const response = await fetch('/api/info', { cache: 'no-store' });
    if (response.ok) {
      const answer = await response.json();
      Object.assign(info, { width: answer.width ?? info.width, height: answer.height ?? info.height,
        slots: answer.slots ?? info.slots, model: answer.model ?? info.model });
    }
  } catch { /* the WebSocket's `ready` tells the same */ }
  pad.resize(info.width, info.height);
  controls.canvasResized();
  view.render();
  history.refresh();
  connection.connect();
}

// For the browser test and the console.
window.semanticDraw = {
  model, pad, undo, connection, controller, stream, history, info,
  coverage: (id) => pad.coverage(id),
  lastExport: null,
  lastCaption: null,
};

start();
