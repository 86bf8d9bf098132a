// Image helpers: reading mask PNGs of any layout (docs/PALETTE.md "Masks: polarity and size")
// into layer coverage, and turning uploaded images into PNG data URLs.

export function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the image could not be decoded'));
    image.src = src;
  });
}

export function readFileAsDataURL(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function readFileAsText(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

// The PNG colour type (IHDR byte 25 of the file): 0 grey, 2 RGB, 3 palette, 4 grey + alpha,
// 6 RGBA; null when the data URL is not a PNG.
export function pngColorType(dataURL) {
  const match = /^data:image\/png;base64,(.*)$/s.exec(dataURL);
  if (!match) return null;
  let bytes;
  try { bytes = atob(match[1].slice(0, 44)); } catch { return null; }
  if (bytes.length < 26 || bytes.slice(1, 4) !== 'PNG') return null;
  return bytes.charCodeAt(25);
}

// A mask PNG data URL -> ImageData (width x height) that is white with alpha = mask value.
// Alpha layouts (grey + alpha, RGBA, a palette with transparency) use alpha; the others use
// luminance (Pillow's convert("L") weights), white = inside. Other sizes are scaled bilinearly.
export async function maskToCoverage(dataURL, width, height) {
  const colorType = pngColorType(dataURL);
  if (colorType === null) throw new Error('a mask must be a PNG data URL (data:image/png;base64,...)');
  const image = await loadImage(dataURL);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'medium';
  ctx.drawImage(image, 0, 0, width, height);
  const data = ctx.getImageData(0, 0, width, height);
  const px = data.data;
  let useAlpha = colorType === 4 || colorType === 6;
  if (colorType === 3) {
    for (let i = 3; i < px.length; i += 4) { if (px[i] < 255) { useAlpha = true; break; } }
  }
  for (let i = 0; i < px.length; i += 4) {
    const value = useAlpha
      ? px[i + 3]
      : (px[i] * 19595 + px[i + 1] * 38470 + px[i + 2] * 7471 + 0x8000) >> 16;
    px[i] = 255; px[i + 1] = 255; px[i + 2] = 255; px[i + 3] = value;
  }
  return data;
}

// Any image (data URL) -> a PNG data URL scaled to width x height (the canvas: the pipeline
// resizes the background to the canvas anyway) and the canvas it was drawn on.
export async function imageToCanvasPNG(src, width, height) {
  const image = await loadImage(src);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, width, height);
  return { dataURL: canvas.toDataURL('image/png'), canvas };
}
