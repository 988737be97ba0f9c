/**
 * bench:ee559's data: pairs of real MNIST digits from ../shared/data/mnist, 2x2 average-pooled
 * to 14x14 as the course's generate_pair_sets, standardised over the training set.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mulberry32 } from '../shared/random.js';
import type { Batch } from '../electron/engine/train-step.js';
import type { TrainData } from '../electron/engine/train-data.js';
import { tf } from '../electron/engine/tf.js';
import { repoRoot } from './common.js';

const mnist = path.resolve(repoRoot, '..', 'shared', 'data', 'mnist');

export interface Pairs {
  /** n x 2 x 14 x 14, scaled to [0, 1] then standardized over the training set. */
  a: Float32Array;
  b: Float32Array;
  classA: Int32Array;
  classB: Int32Array;
  le: Int32Array;
  n: number;
}

function readIdx(file: string): Buffer {
  return gunzipSync(readFileSync(path.join(mnist, file)));
}

/** 28x28 → 14x14 by 2x2 averaging. */
function pool(src: Buffer, offset: number, out: Float32Array, at: number): void {
  for (let y = 0; y < 14; y++)
    for (let x = 0; x < 14; x++) {
      const p = offset + 2 * y * 28 + 2 * x;
      out[at + y * 14 + x] = (src[p]! + src[p + 1]! + src[p + 28]! + src[p + 29]!) / (4 * 255);
    }
}

export function makePairs(n: number, images: Buffer, labels: Buffer, seed: number): Pairs {
  const random = mulberry32(seed);
  const count = labels.length - 8;
  const out: Pairs = {
    a: new Float32Array(n * 196),
    b: new Float32Array(n * 196),
    classA: new Int32Array(n),
    classB: new Int32Array(n),
    le: new Int32Array(n),
    n,
  };
  for (let i = 0; i < n; i++) {
    const ia = Math.floor(random() * count);
    const ib = Math.floor(random() * count);
    pool(images, 16 + ia * 784, out.a, i * 196);
    pool(images, 16 + ib * 784, out.b, i * 196);
    out.classA[i] = labels[8 + ia]!;
    out.classB[i] = labels[8 + ib]!;
    out.le[i] = out.classA[i]! <= out.classB[i]! ? 1 : 0;
  }
  return out;
}

function standardize(train: Pairs, test: Pairs): void {
  let sum = 0;
  let sq = 0;
  for (const v of [...train.a, ...train.b]) {
    sum += v;
    sq += v * v;
  }
  const n = train.a.length * 2;
  const mean = sum / n;
  const std = Math.sqrt(sq / n - mean * mean);
  for (const p of [train, test]) for (const arr of [p.a, p.b]) for (let i = 0; i < arr.length; i++) arr[i] = (arr[i]! - mean) / std;
}

/** Pairs as the trainer's data: inputs a and b, targets le, classA, classB. */
export function pairData(p: Pairs): TrainData {
  return {
    size: p.n,
    batch(indices: number[]): Batch {
      const gather = (src: Float32Array) => {
        const out = new Float32Array(indices.length * 196);
        indices.forEach((i, k) => out.set(src.subarray(i * 196, (i + 1) * 196), k * 196));
        return tf.tensor4d(out, [indices.length, 14, 14, 1]);
      };
      const ones = new Float32Array(indices.length).fill(1);
      return {
        inputs: { a: gather(p.a), b: gather(p.b) },
        labels: {
          le: { index: Int32Array.from(indices, (i) => p.le[i]!), mask: ones },
          digit_a: { index: Int32Array.from(indices, (i) => p.classA[i]!), mask: ones },
          digit_b: { index: Int32Array.from(indices, (i) => p.classB[i]!), mask: ones },
        },
      };
    },
  };
}

export function loadPairs(n = 1000, seed = 0): { train: Pairs; test: Pairs } {
  const train = makePairs(n, readIdx('train-images-first10k-idx3-ubyte.gz'), readIdx('train-labels-first10k-idx1-ubyte.gz'), 1000 + seed);
  const test = makePairs(n, readIdx('t10k-images-idx3-ubyte.gz'), readIdx('t10k-labels-idx1-ubyte.gz'), 2000 + seed);
  standardize(train, test);
  return { train, test };
}
