/**
 * Decoded images as plain bytes and floats, with no Node or TensorFlow.js dependency: the
 * uint8 record the pixel cache stores and the data side sends to the compute side (a 48-byte
 * header — mean, std, border colour, placement — then the [H, W, C] frame), its
 * standardization into the floats a model reads, and the random-shift augmentation. The data
 * pipeline (Node) and the training renderer's page (sides/) build batches with the same code,
 * so both give the same floats.
 */
import type { InputSpec } from '../../shared/model-spec.js';

/** Where the scaled content sits in the height x width frame. */
export interface Placement {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * An image resized to the input's frame, before standardization: its uint8 pixels ([H, W, C],
 * content at `place`, the padding left 0), the content's mean and standard deviation, and the
 * raw mean colour of its one-pixel border per channel (the padding's value). It is what the
 * pixel cache stores (pipeline/): a quarter of the floats' size, and `standardizeInto` turns
 * it into exactly the floats `decodeInto` gives.
 */
export interface RawImage {
  pixels: Uint8Array;
  place: Placement;
  mean: number;
  std: number;
  /** Per channel; empty when there is no padding. */
  border: number[];
}

export const RECORD_HEADER = 48;

export const recordBytesOf = (input: InputSpec) => RECORD_HEADER + input.height * input.width * input.channels;

/** Writes `raw` as one record into `out` (recordBytesOf(input) bytes). */
export function writeRecord(raw: RawImage, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, RECORD_HEADER);
  view.setFloat64(0, raw.mean, true);
  view.setFloat64(8, raw.std, true);
  raw.border.forEach((b, k) => view.setFloat64(16 + 8 * k, b, true));
  view.setUint16(40, raw.place.top, true);
  view.setUint16(42, raw.place.left, true);
  view.setUint16(44, raw.place.height, true);
  view.setUint16(46, raw.place.width, true);
  out.set(raw.pixels, RECORD_HEADER);
}

/** A record back as a RawImage (its pixels a view of `record`). */
export function readRecord(record: Uint8Array, input: InputSpec): RawImage {
  const view = new DataView(record.buffer, record.byteOffset, RECORD_HEADER);
  const place = { top: view.getUint16(40, true), left: view.getUint16(42, true), height: view.getUint16(44, true), width: view.getUint16(46, true) };
  const padded = place.height < input.height || place.width < input.width;
  return {
    mean: view.getFloat64(0, true),
    std: view.getFloat64(8, true),
    border: padded ? Array.from({ length: input.channels }, (_, k) => view.getFloat64(16 + 8 * k, true)) : [],
    place,
    pixels: record.subarray(RECORD_HEADER),
  };
}

/** The floats a model reads from a raw image: (v - mean) / std over the content, the standardized border mean as padding. */
export function standardizeInto(raw: RawImage, input: InputSpec, out: Float32Array): void {
  const { height: h, width: w, channels: c } = input;
  const { place, mean, std, pixels } = raw;
  for (let y = 0; y < place.height; y++) {
    const row = ((place.top + y) * w + place.left) * c;
    for (let i = 0; i < place.width * c; i++) out[row + i] = (pixels[row + i]! - mean) / std;
  }
  if (place.height === h && place.width === w) return;
  const fill = raw.border.map((b) => (b - mean) / std);
  for (let y = 0; y < h; y++) {
    const inside = y >= place.top && y < place.top + place.height;
    for (let x = 0; x < w; x++) {
      if (inside && x >= place.left && x < place.left + place.width) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = fill[k]!;
    }
  }
}

/** Shifts an [H, W, C] image by (dy, dx) pixels, filling with zeros (the per-image mean); the streaming pipeline shifts the same way. */
export function shifted(src: Float32Array, h: number, w: number, c: number, dy: number, dx: number, out: Float32Array): void {
  out.fill(0);
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const sx = x - dx;
      if (sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = src[(sy * w + sx) * c + k]!;
    }
  }
}

/**
 * `standardizeInto` and then `shifted` by (dy, dx), in one pass and with the same
 * floats: each uint8 value's standardized float comes from a 256-entry table (`lut`, reused by
 * the caller), not a division per pixel. Batches are built with it (batchPixels), in Node and in the page.
 */
export function standardizeShiftedInto(raw: RawImage, input: InputSpec, dy: number, dx: number, out: Float32Array, lut = new Float64Array(256)): void {
  const { height: h, width: w, channels: c } = input;
  const { place, mean, std, pixels } = raw;
  for (let v = 0; v < 256; v++) lut[v] = (v - mean) / std;
  const fill = raw.border.map((b) => (b - mean) / std);
  const bottom = place.top + place.height;
  const right = place.left + place.width;
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    const rowOut = sy < 0 || sy >= h;
    const rowContent = sy >= place.top && sy < bottom;
    for (let x = 0; x < w; x++) {
      const sx = x - dx;
      const o = (y * w + x) * c;
      if (rowOut || sx < 0 || sx >= w) {
        for (let k = 0; k < c; k++) out[o + k] = 0;
      } else if (rowContent && sx >= place.left && sx < right) {
        const from = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) out[o + k] = lut[pixels[from + k]!]!;
      } else {
        for (let k = 0; k < c; k++) out[o + k] = fill[k]!;
      }
    }
  }
}

/**
 * One input's floats for a batch of `count` examples ([count, H, W, C]), from each example's
 * raw image: standardized and, with `shift` > 0, shifted by a draw of `random` per example
 * (the draws in example order, so the caller's order of inputs and examples fixes them). An
 * example without an image (null: skipped as unreadable) stays zeros; its draws are made all
 * the same, so the other examples keep the shifts they would have had.
 */
export function batchPixels(
  rawOf: (b: number) => RawImage | null,
  count: number,
  input: InputSpec,
  shift: number,
  random: (() => number) | null,
): Float32Array {
  const size = input.height * input.width * input.channels;
  const buf = new Float32Array(count * size);
  const lut = new Float64Array(256);
  const shifting = random !== null && shift > 0;
  for (let b = 0; b < count; b++) {
    const dy = shifting ? Math.round((random() * 2 - 1) * shift) : 0;
    const dx = shifting ? Math.round((random() * 2 - 1) * shift) : 0;
    const raw = rawOf(b);
    if (raw) standardizeShiftedInto(raw, input, dy, dx, buf.subarray(b * size, (b + 1) * size), lut);
  }
  return buf;
}

/** Masks the rows of examples whose image was skipped (`skipped[b]` 1): they teach and count nothing. */
export function maskSkipped(labels: Record<string, { index: Int32Array; mask: Float32Array }>, skipped: Uint8Array): void {
  for (const { index, mask } of Object.values(labels)) {
    skipped.forEach((s, b) => {
      if (s) {
        index[b] = 0;
        mask[b] = 0;
      }
    });
  }
}
