/**
 * The data pipeline: labelled images from the store, decoded once (decode.ts: letterboxed,
 * stretched or cropped to the spec's input size) and standardized per image, labels per head with their masks, a seeded
 * stratified train/validation/test split, random-shift augmentation, and pairs for
 * comparison heads.
 */
import path from 'node:path';
import type { InputSpec, ModelSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Project } from '../domain/project.js';
import { decodeInto } from './decode.js';
import { LabelTable } from './labels.js';
import type { ResolvedHead } from './heads.js';
import { permutation, seededRandom } from './sampling.js';
import type { HeadLabels } from './train-step.js';

export interface Example {
  /** One image id per input (two for a pair). */
  imageIds: number[];
}

/**
 * A split's examples packed in one array — example i's image for input k at ids[i × inputs + k]
 * — for what a job holds for its whole length (the data side, streamed splits). An Example
 * object costs about 100 bytes of heap, 100 MB at 1,000,000 images; this costs 4 bytes an image.
 */
export class PackedExamples {
  private constructor(
    readonly ids: Int32Array,
    readonly inputs: number,
  ) {}

  static of(examples: readonly Example[], inputs: number): PackedExamples {
    const ids = new Int32Array(examples.length * inputs);
    examples.forEach((e, i) => {
      for (let k = 0; k < inputs; k++) ids[i * inputs + k] = e.imageIds[k]!;
    });
    return new PackedExamples(ids, inputs);
  }

  get length(): number {
    return this.ids.length / this.inputs;
  }

  /** The image of example i for input k. */
  imageId(i: number, k = 0): number {
    return this.ids[i * this.inputs + k]!;
  }
}

export interface DecodedSet {
  input: InputSpec;
  /** imageId → offset (in examples) into pixels. */
  index: Map<number, number>;
  pixels: Float32Array;
}

export interface Split {
  train: Example[];
  validation: Example[];
  test: Example[];
}

/** Reads the human labels of `targets` (default: every target), columnar (labels.ts). */
export function readLabels(project: Project, targets?: readonly string[]): LabelTable {
  return LabelTable.read(project, targets);
}

/** The class index of a head for one example, or -1 when masked (unknown, missing, past the sequence end). */
export function labelIndex(head: ResolvedHead, example: Example, inputs: string[], labels: LabelTable): number {
  const t = head.spec.target;
  const imageOf = (input: string | undefined) => example.imageIds[input ? inputs.indexOf(input) : 0]!;
  if (t.kind === 'compare') {
    const x = labels.firstNumber(t.target, imageOf(t.a));
    const y = labels.firstNumber(t.target, imageOf(t.b));
    if (x === undefined || y === undefined) return -1;
    const truth = t.op === 'le' ? x <= y : t.op === 'lt' ? x < y : x === y;
    return truth ? 1 : 0;
  }
  return labels.classIndex(head, imageOf(t.input));
}

/** Images (or pairs) with at least one head label; pairs are drawn seeded from single-label images. */
export function buildExamples(spec: ModelSpec, heads: ResolvedHead[], labels: LabelTable, pairs?: number): Example[] {
  const inputs = spec.inputs.map((i) => i.name);
  const ids = labels.ids;
  let candidates: Example[];
  if (inputs.length === 1) {
    candidates = Array.from(ids, (id) => ({ imageIds: [id] }));
  } else {
    const random = seededRandom(spec.training.seed * 7919 + 1);
    const count = pairs ?? ids.length;
    candidates = Array.from({ length: count }, () => ({ imageIds: inputs.map(() => ids[Math.floor(random() * ids.length)]!) }));
  }
  // Heads with mask 'none' need their label on every example: examples without it are left out.
  const required = heads.filter((h) => h.spec.mask === 'none');
  return candidates.filter((e) => required.every((h) => labelIndex(h, e, inputs, labels) >= 0) && heads.some((h) => labelIndex(h, e, inputs, labels) >= 0));
}

/** Seeded split, stratified by the first head's label (masked examples form their own stratum). */
export function splitExamples(spec: ModelSpec, heads: ResolvedHead[], examples: Example[], labels: LabelTable): Split {
  const t = spec.training;
  const inputs = spec.inputs.map((i) => i.name);
  // Linear: each example is appended once (it used to rebuild its stratum's array per example,
  // quadratic). The strata hold the same examples in the same order, so the split is unchanged.
  const strata = new Map<number, Example[]>();
  for (const e of examples) {
    const key = labelIndex(heads[0]!, e, inputs, labels);
    let group = strata.get(key);
    if (!group) strata.set(key, (group = []));
    group.push(e);
  }
  const split: Split = { train: [], validation: [], test: [] };
  let salt = 0;
  for (const [, group] of [...strata.entries()].sort((a, b) => a[0] - b[0])) {
    const order = permutation(group.length, t.seed * 31 + salt++);
    const nTest = Math.round(group.length * t.test);
    const nVal = Math.round(group.length * t.validation);
    for (let k = 0; k < order.length; k++) (k < nTest ? split.test : k < nTest + nVal ? split.validation : split.train).push(group[order[k]!]!);
  }
  return split;
}

/** Decodes each image once into [H, W, C] floats: resized by the input's `resize` mode, standardized per image (decode.ts). */
export async function decodeImages(project: Project, imageIds: number[], input: InputSpec, concurrency = 4): Promise<DecodedSet> {
  const unique = [...new Set(imageIds)];
  const size = input.height * input.width * input.channels;
  const pixels = new Float32Array(unique.length * size);
  const index = new Map<number, number>();
  let cursor = 0;
  const work = async () => {
    while (cursor < unique.length) {
      const k = cursor++;
      const id = unique[k]!;
      const row = project.store.images.get(id);
      const file = row ? project.resolveStored(row.stored_path) : null;
      if (!row || !file) throw new Error(`image ${id} has no stored file in ${project.dataDir}`);
      try {
        await decodeInto(file, input, pixels.subarray(k * size, (k + 1) * size));
      } catch (error) {
        throw new Error(`image ${id} (${path.basename(file)}): ${(error as Error).message}`, { cause: error });
      }
      index.set(id, k);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, work));
  return { input, index, pixels };
}

/** Labels of every head for a batch of examples: class index per example, and 1 where the label counts (0: masked). */
export function batchLabels(
  heads: ResolvedHead[],
  examples: PackedExamples,
  indices: ArrayLike<number>,
  inputs: string[],
  labels: LabelTable,
): Record<string, HeadLabels> {
  const out: Record<string, HeadLabels> = {};
  // One example object reused for every row (labelIndex reads an Example).
  const example: Example = { imageIds: new Array<number>(examples.inputs) };
  for (const head of heads) {
    const index = new Int32Array(indices.length);
    const mask = new Float32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      for (let j = 0; j < examples.inputs; j++) example.imageIds[j] = examples.imageId(indices[k]!, j);
      const l = labelIndex(head, example, inputs, labels);
      index[k] = Math.max(0, l);
      mask[k] = l >= 0 ? 1 : 0;
    }
    out[head.spec.name] = { index, mask };
  }
  return out;
}

export type { TargetDef };
