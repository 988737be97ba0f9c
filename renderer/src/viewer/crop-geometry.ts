/**
 * How big the labeler shows a crop: pure functions over the crop's size and the viewport's,
 * so the rules (readable height for text lines, crisp integer upscaling, zoom steps, a
 * contrast stretch as CSS filters) are unit-tested without a browser.
 */

/** Zoom levels the keys and the wheel step through (1 = one image pixel per CSS pixel). */
export const ZOOM_STEPS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32] as const;
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1]!;

/** A crop is never fitted shorter than this (CSS px): a 30:1 text line stays readable and scrolls sideways. */
export const READABLE_HEIGHT = 96;

/** No side of the displayed crop grows past this many CSS px (browsers' layout limits). */
export const MAX_DISPLAY_SIDE = 60_000;

export interface Size {
  width: number;
  height: number;
}

/** Above 2x, whole multiples keep every image pixel the same size on screen. */
function crisp(scale: number): number {
  return scale >= 2 ? Math.floor(scale) : scale;
}

/** The largest scale at which no side passes MAX_DISPLAY_SIDE. */
function maxScaleFor(image: Size): number {
  return MAX_DISPLAY_SIDE / Math.max(1, image.width, image.height);
}

/**
 * The scale of "fit": the whole crop inside the viewport, enlarged as far as it goes (small crops
 * are scaled up, in whole multiples above 2x), except that a crop so wide that fitting its width
 * would make it shorter than READABLE_HEIGHT is shown at a readable height instead (or the
 * viewport's height, if that is less) and scrolls sideways.
 */
export function fitScale(image: Size, viewport: Size): number {
  if (image.width <= 0 || image.height <= 0 || viewport.width <= 0 || viewport.height <= 0) return 1;
  const whole = Math.min(viewport.width / image.width, viewport.height / image.height);
  let scale = crisp(whole);
  if (image.height * scale < READABLE_HEIGHT) {
    const readable = Math.min(READABLE_HEIGHT, viewport.height) / image.height;
    // Whole multiples above 2x, rounded up so that the height reaches the readable one, but within the viewport.
    const rounded = readable >= 2 ? Math.ceil(readable) : readable;
    scale = Math.max(scale, image.height * rounded <= viewport.height ? rounded : readable);
  }
  return Math.min(scale, maxScaleFor(image));
}

/** The next zoom step above (direction 1) or below (-1) the current scale. */
export function stepZoom(scale: number, direction: 1 | -1, image?: Size): number {
  const eps = 1e-6;
  const next = direction > 0 ? ZOOM_STEPS.find((s) => s > scale + eps) : [...ZOOM_STEPS].reverse().find((s) => s < scale - eps);
  const limit = image ? maxScaleFor(image) : MAX_ZOOM;
  return Math.min(next ?? (direction > 0 ? MAX_ZOOM : MIN_ZOOM), Math.max(limit, MIN_ZOOM));
}

/** Clamps a requested zoom into the allowed range (and the display limit for this image). */
export function clampZoom(scale: number, image?: Size): number {
  const limit = image ? Math.max(maxScaleFor(image), MIN_ZOOM) : MAX_ZOOM;
  return Math.min(Math.max(scale, MIN_ZOOM), MAX_ZOOM, limit);
}

/** The displayed size in CSS px (whole pixels). */
export function displaySize(image: Size, scale: number): Size {
  return { width: Math.max(1, Math.round(image.width * scale)), height: Math.max(1, Math.round(image.height * scale)) };
}

/** Pixelated (crisp) scaling when enlarged; smooth when shown smaller than its pixels. */
export function isEnlarged(scale: number): boolean {
  return scale >= 1;
}

/** A label for the zoom level: "400%", "fit · 400%". */
export function zoomLabel(scale: number, fit: boolean): string {
  const pct = scale >= 1 ? Math.round(scale * 100) : Math.round(scale * 1000) / 10;
  return `${fit ? 'fit · ' : ''}${pct}%`;
}

/**
 * The scroll position that keeps the image point under an anchor (viewport coordinates) under
 * it after a zoom: `offset` is where the crop's box starts inside the scrolled content.
 */
export function anchoredScroll(anchorInViewport: number, imagePoint: number, newScale: number, offset: number): number {
  return Math.max(0, offset + imagePoint * newScale - anchorInViewport);
}

/** Luminance (0..255) of RGBA pixels, every `stride`-th pixel. */
export function luminances(rgba: ArrayLike<number>, stride = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i + 3 < rgba.length; i += 4 * stride) out.push(0.2126 * rgba[i]! + 0.7152 * rgba[i + 1]! + 0.0722 * rgba[i + 2]!);
  return out;
}

/** The low and high percentiles (0..1 of 255) of the luminances: the range a contrast stretch maps to 0..1. */
export function stretchRange(lum: number[], lowPct = 0.01, highPct = 0.99): { low: number; high: number } {
  if (lum.length === 0) return { low: 0, high: 1 };
  const sorted = Float64Array.from(lum).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]! / 255;
  return { low: at(lowPct), high: at(highPct) };
}

/**
 * CSS filter functions that map luminance `low..high` linearly onto 0..1 (a contrast stretch):
 * brightness(b) then contrast(c) maps v to v·b·c + (1 − c)/2, so b·c = 1/(high − low) and
 * (1 − c)/2 = −low/(high − low). Null when there is nothing to stretch (flat, or already full range).
 */
export function stretchFilter(range: { low: number; high: number }): string | null {
  const span = range.high - range.low;
  if (!(span > 1 / 255) || (range.low <= 0.02 && range.high >= 0.98)) return null;
  const slope = 1 / span;
  const contrast = 1 + 2 * range.low * slope;
  const brightness = slope / contrast;
  return `brightness(${round(brightness)}) contrast(${round(contrast)})`;
}

/** The CSS filter for the viewer's toggles (the stretch when there is one, else a fixed contrast boost). */
export function viewerFilter(options: { stretch: string | null; contrast: boolean; invert: boolean }): string {
  const parts: string[] = [];
  if (options.contrast) parts.push(options.stretch ?? 'contrast(1.8)');
  if (options.invert) parts.push('invert(1)');
  return parts.join(' ') || 'none';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
