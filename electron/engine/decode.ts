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

/** Where the scaled content sits in the height x width frame. */
export interface Placement {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Decodes `file` into `out` ([H, W, C] floats); returns where the image's content is (all of it but letterbox padding). */
export async function decodeInto(file: string, input: InputSpec, out: Float32Array): Promise<Placement> {
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
  for (let y = 0; y < place.height; y++) {
    const row = ((place.top + y) * w + place.left) * c;
    for (let i = 0; i < place.width * c; i++) out[row + i] = (data[y * place.width * c + i]! - mean) / std;
  }
  if (place.height < h || place.width < w) pad(data, place, input, (v) => (v - mean) / std, out);
  return place;
}

/** Fills everything outside the content with the (standardized) mean of the content's one-pixel border, per channel. */
function pad(data: Buffer, place: Placement, input: InputSpec, standardize: (v: number) => number, out: Float32Array): void {
  const { height: h, width: w, channels: c } = input;
  const sum = new Float64Array(c);
  let count = 0;
  for (let y = 0; y < place.height; y++) {
    const edge = y === 0 || y === place.height - 1;
    for (let x = 0; x < place.width; x += edge ? 1 : Math.max(1, place.width - 1)) {
      for (let k = 0; k < c; k++) sum[k] = sum[k]! + data[(y * place.width + x) * c + k]!;
      count++;
    }
  }
  const fill = Array.from(sum, (s) => standardize(s / count));
  for (let y = 0; y < h; y++) {
    const inside = y >= place.top && y < place.top + place.height;
    for (let x = 0; x < w; x++) {
      if (inside && x >= place.left && x < place.left + place.width) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = fill[k]!;
    }
  }
}
