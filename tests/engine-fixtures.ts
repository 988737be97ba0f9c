import { parseModelSpec, type ModelSpec, type ModelSpecInput } from '../shared/model-spec.js';
import { mulberry32 } from '../shared/random.js';
import { DEFAULT_TARGETS, defaultHotkey, lengthClassesFor, type TargetDef } from '../shared/targets.js';
import type { Batch, HeadLabels } from '../electron/engine/train-step.js';
import { tf } from '../electron/engine/tf.js';

/** Deterministic pseudo-random values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export function spec(input: ModelSpecInput): ModelSpec {
  const parsed = parseModelSpec(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.spec;
}

export const rng = mulberry32;

export interface Synthetic {
  pixels: Float32Array;
  size: number;
  /** Quadrant of a bright square: 4 classes. */
  quad: Int32Array;
  /** Its brightness level: 3 classes. */
  level: Int32Array;
  /** 1 where `level` is known (about 70%). */
  levelKnown: Float32Array;
  n: number;
}

/** Tiny two-target images: a square whose quadrant and brightness are the labels, on noise. */
export function synthetic(n: number, seed: number, size = 14): Synthetic {
  const r = rng(seed);
  const pixels = new Float32Array(n * size * size);
  const quad = new Int32Array(n);
  const level = new Int32Array(n);
  const levelKnown = new Float32Array(n);
  const half = size / 2;
  for (let i = 0; i < n; i++) {
    quad[i] = Math.floor(r() * 4);
    level[i] = Math.floor(r() * 3);
    levelKnown[i] = r() < 0.7 ? 1 : 0;
    const oy = (quad[i]! >> 1) * half + 1 + Math.floor(r() * 2);
    const ox = (quad[i]! & 1) * half + 1 + Math.floor(r() * 2);
    for (let p = 0; p < size * size; p++) pixels[i * size * size + p] = r() * 0.15;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) pixels[i * size * size + (oy + y) * size + ox + x] = 0.35 + 0.3 * level[i]!;
  }
  return { pixels, size, quad, level, levelKnown, n };
}

export function batchOf(data: Synthetic, from: number, count: number, input = 'x'): Batch {
  const s = data.size;
  const labels: Record<string, HeadLabels> = {
    quad: { index: data.quad.slice(from, from + count), mask: new Float32Array(count).fill(1) },
    level: { index: data.level.slice(from, from + count), mask: data.levelKnown.slice(from, from + count) },
  };
  return { inputs: { [input]: tf.tensor4d(data.pixels.slice(from * s * s, (from + count) * s * s), [count, s, s, 1]) }, labels };
}

export function disposeBatch(batch: Batch): void {
  tf.dispose(Object.values(batch.inputs));
}

/** A synthetic set as the trainer reads data: batches gathered by index. */
export function trainData(data: Synthetic, input = 'x'): import('../electron/engine/train-data.js').TrainData {
  const s = data.size;
  return {
    size: data.n,
    batch(indices: number[]): Batch {
      const pixels = new Float32Array(indices.length * s * s);
      indices.forEach((i, k) => pixels.set(data.pixels.subarray(i * s * s, (i + 1) * s * s), k * s * s));
      const pick = <T extends Int32Array | Float32Array>(a: T) =>
        a.constructor === Int32Array ? (Int32Array.from(indices, (i) => a[i]!) as T) : (Float32Array.from(indices, (i) => a[i]!) as T);
      return {
        inputs: { [input]: tf.tensor4d(pixels, [indices.length, s, s, 1]) },
        labels: {
          quad: { index: pick(data.quad), mask: new Float32Array(indices.length).fill(1) },
          level: { index: pick(data.level), mask: pick(data.levelKnown) },
        },
      };
    },
  };
}

/** The default targets (digits, length, font_style, script) as the store creates them, without a store. */
export function defaultTargetDefs(): TargetDef[] {
  let nextId = 100;
  return DEFAULT_TARGETS.map((d, position) => ({
    id: position + 1,
    name: d.name,
    kind: d.kind,
    alphabet: d.alphabet ?? null,
    maxLength: d.maxLength ?? null,
    sourceTargetId: d.kind === 'length' ? 1 : null,
    hotkey: null,
    position,
    classes: (d.kind === 'length' ? lengthClassesFor(5) : (d.classes ?? [])).map((name, i) => ({
      id: nextId++,
      name,
      hotkey: d.kind === 'categorical' ? defaultHotkey(i) : null,
      position: i,
    })),
  }));
}
