/**
 * One image file → the floats a model reads: resized to the input's height x width by the
 * input's `resize` mode, converted to its channels, standardized per image. Training,
 * evaluation and prediction all decode through here; export records the same description.
 *
 * - letterbox (default): scaled to fit inside height x width with its aspect ratio kept,
 *   centred, the rest padded with the mean colour of the image's own one-pixel border. The
 *   border mean is the background for crops of text and numbers: the padding looks like more
 *   background. Edge replication would smear every stroke that touches the edge into streaks
 *   across the padding, and a fixed colour (black) would draw a hard frame whose position
 *   gives the model the crop's aspect ratio as a shortcut.
 * - stretch: scaled to exactly height x width, aspect ratio lost (runs stored before `resize`
 *   existed were trained this way).
 * - crop: scaled to cover height x width with its aspect ratio kept, the overflow cut off
 *   evenly on both sides.
 *
 * Standardization: zero mean, unit variance over the image's content (padding excluded, so
 * the amount of padding does not change the content's values); the padding gets the
 * standardized border mean.
 */
import sharp from 'sharp';
import type { InputSpec } from '../../shared/model-spec.js';
import { standardizeInto, type Placement, type RawImage } from './pixels.js';

// Re-exported: callers decode and standardize through this module (pixels.ts holds what a browser page needs too).
export { standardizeInto, type Placement, type RawImage };

export type ResizeMode = InputSpec['resize'];

/** How an input's images are prepared, in words (recorded in an export's polyhead.json). */
export function describePreprocessing(input: InputSpec): string {
  const size = `${input.height}x${input.width}x${input.channels}`;
  const how = {
    letterbox: `letterboxed to ${size} (aspect ratio kept, centred, padded with the mean of the image's one-pixel border)`,
    stretch: `stretched to ${size} (aspect ratio not kept)`,
    crop: `scaled to cover ${size} (aspect ratio kept), centre-cropped`,
  }[input.resize];
  return `${how}; ${input.channels === 1 ? 'grey' : 'sRGB'}; per-image standardization (zero mean, unit variance over the content; padding excluded)`;
}

/** Decodes `file` to the input's frame as uint8 with its statistics (no standardization yet). */
export async function decodeRaw(file: string, input: InputSpec): Promise<RawImage> {
  const { height: h, width: w, channels: c } = input;
  const fit = input.resize === 'letterbox' ? 'inside' : input.resize === 'crop' ? 'cover' : 'fill';
  let pipeline = sharp(file).resize(w, h, { fit, position: 'centre' }).removeAlpha();
  pipeline = c === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== c) throw new Error(`decoded to ${info.channels} channels, expected ${c}`);
  const place: Placement = { top: (h - info.height) >> 1, left: (w - info.width) >> 1, height: info.height, width: info.width };
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  let variance = 0;
  for (const v of data) variance += (v - mean) ** 2;
  const std = Math.max(Math.sqrt(variance / data.length), 1);
  const pixels = new Uint8Array(h * w * c);
  for (let y = 0; y < place.height; y++) {
    const row = ((place.top + y) * w + place.left) * c;
    pixels.set(data.subarray(y * place.width * c, (y + 1) * place.width * c), row);
  }
  const border = place.height < h || place.width < w ? borderMean(data, place, c) : [];
  return { pixels, place, mean, std, border };
}

/** Decodes `file` into `out` ([H, W, C] floats); returns where the image's content is (all of it but letterbox padding). */
export async function decodeInto(file: string, input: InputSpec, out: Float32Array): Promise<Placement> {
  const raw = await decodeRaw(file, input);
  standardizeInto(raw, input, out);
  return raw.place;
}

/** The mean of the content's one-pixel border, per channel (the letterbox padding's colour). */
function borderMean(data: Buffer, place: Placement, c: number): number[] {
  const sum = new Float64Array(c);
  let count = 0;
  for (let y = 0; y < place.height; y++) {
    const edge = y === 0 || y === place.height - 1;
    for (let x = 0; x < place.width; x += edge ? 1 : Math.max(1, place.width - 1)) {
      for (let k = 0; k < c; k++) sum[k] = sum[k]! + data[(y * place.width + x) * c + k]!;
      count++;
    }
  }
  return Array.from(sum, (s) => s / count);
}
