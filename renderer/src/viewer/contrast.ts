/** The contrast stretch of a decoded image element, measured once per element on a small canvas. */
import { luminances, stretchFilter, stretchRange } from './crop-geometry';

const stretches = new WeakMap<HTMLImageElement, string | null>();

/** CSS filters that stretch the element's luminance (1st..99th percentile) onto the full range; null when there is none to apply or it cannot be read. */
export async function contrastStretchOf(img: HTMLImageElement): Promise<string | null> {
  if (!stretches.has(img)) {
    if (!img.complete) await img.decode().catch(() => undefined);
    stretches.set(img, measure(img));
  }
  return stretches.get(img) ?? null;
}

function measure(img: HTMLImageElement): string | null {
  try {
    const scaleDown = Math.min(1, 256 / Math.max(img.naturalWidth, img.naturalHeight, 1));
    const w = Math.max(1, Math.round(img.naturalWidth * scaleDown));
    const h = Math.max(1, Math.round(img.naturalHeight * scaleDown));
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0, w, h);
    return stretchFilter(stretchRange(luminances(ctx.getImageData(0, 0, w, h).data)));
  } catch {
    // A canvas the image taints, or none at all: the fixed contrast boost instead.
    return null;
  }
}
