/**
 * `npm run bench:bn-parity`: does Polyhead's batch norm train and evaluate like PyTorch's?
 *
 * The same small conv+BN model (conv 16/32 with batch norm, dense 64, 10 digit classes) is
 * trained on the same data — real MNIST digits from ../shared/data/mnist (2,000 training
 * images, 1,000 validation images from the official test set), decoded as Polyhead decodes
 * (per-image standardization) and handed to both as the same float arrays — with Adam 1e-3,
 * batch 32, for a few epochs, under several seeds (seeds change initial weights and
 * shuffles, so curves are compared as means over seeds, not seed by seed):
 *
 * - pytorch: PyTorch CPU (Debian python3-torch, bench/bn_parity_peer.py), momentum 0.1,
 *   evaluation with its running statistics — the reference;
 * - polyhead: the engine's trainer as shipped (momentum 0.9, precise BN every epoch);
 * - moving 0.99: before the fix, Keras' momentum 0.99 and evaluation with moving averages;
 * - moving 0.9: momentum 0.9 alone, evaluation with moving averages (no precise BN).
 *
 * Prints validation accuracy per epoch side by side and the final gap to PyTorch, and writes
 * bench/results/bn-parity.json. Fails (exit 1) when python3-torch is missing: nothing skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parseModelSpec, type ModelSpec } from '../shared/model-spec.js';
import { selectBackend } from '../electron/engine/backend.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { permutation } from '../electron/engine/sampling.js';
import { tf } from '../electron/engine/tf.js';
import type { TrainData } from '../electron/engine/train-data.js';
import { evaluateLosses, runTraining } from '../electron/engine/trainer.js';
import { makeOptimizer, trainStep } from '../electron/engine/train-step.js';
import { repoRoot, runAsScript, writeResult } from './common.js';

const mnist = path.resolve(repoRoot, '..', 'shared', 'data', 'mnist');
const peerScript = path.join(repoRoot, 'bench', 'bn_parity_peer.py');
export const PYTHON = '/usr/bin/python3';
const SIDE = 28;
const TRUNK = { preset: 'conv', depth: 2, width: 16, growth: 2, batchNorm: true, dense: 64 } as const;

export interface Digits {
  x: Float32Array;
  y: Uint8Array;
  n: number;
}

/** The first `n` digits of an MNIST IDX pair, standardized per image as Polyhead's decode does. */
export function loadDigits(images: string, labels: string, n: number): Digits {
  const img = gunzipSync(readFileSync(path.join(mnist, images)));
  const lab = gunzipSync(readFileSync(path.join(mnist, labels)));
  const size = SIDE * SIDE;
  const x = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const src = img.subarray(16 + i * size, 16 + (i + 1) * size);
    let mean = 0;
    for (const v of src) mean += v;
    mean /= size;
    let variance = 0;
    for (const v of src) variance += (v - mean) ** 2;
    const std = Math.max(Math.sqrt(variance / size), 1);
    for (let p = 0; p < size; p++) x[i * size + p] = (src[p]! - mean) / std;
  }
  return { x, y: Uint8Array.from(lab.subarray(8, 8 + n)), n };
}

export function paritySpec(seed: number, epochs: number, batchNormMomentum = 0.9): ModelSpec {
  const parsed = parseModelSpec({
    name: 'bn parity',
    inputs: [{ name: 'x', height: SIDE, width: SIDE }],
    trunk: { ...TRUNK, batchNormMomentum },
    heads: [{ name: 'digit', target: { kind: 'target', target: 'digit' }, classes: [...'0123456789'] }],
    training: { epochs, batchSize: 32, learningRate: 1e-3, seed, reportEvery: 10_000, validation: 0, test: 0 },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.spec;
}

export function asTrainData(d: Digits): TrainData {
  const size = SIDE * SIDE;
  return {
    size: d.n,
    batch(indices) {
      const x = new Float32Array(indices.length * size);
      indices.forEach((i, k) => x.set(d.x.subarray(i * size, (i + 1) * size), k * size));
      const labels = { digit: { index: Int32Array.from(indices, (i) => d.y[i]!), mask: new Float32Array(indices.length).fill(1) } };
      return { inputs: { x: tf.tensor4d(x, [indices.length, SIDE, SIDE, 1]) }, labels };
    },
  };
}

export type Variant = 'polyhead' | 'moving 0.99' | 'moving 0.9';
export interface Curve {
  validation: number[];
  train: number[];
  seconds: number;
}

/** Trains one Polyhead variant; validation accuracy after every epoch. */
export async function runPolyhead(variant: Variant, train: TrainData, val: TrainData, seed: number, epochs: number): Promise<Curve> {
  const started = performance.now();
  const spec = paritySpec(seed, epochs, variant === 'moving 0.99' ? 0.99 : 0.9);
  const model = new MultiHeadModel(spec, null);
  const curve: Curve = { validation: [], train: [], seconds: 0 };
  try {
    if (variant === 'polyhead') {
      await runTraining({
        model,
        train,
        validation: val,
        onProgress: (p) => {
          if (p.kind !== 'epoch') return;
          curve.train.push(p.heads.digit!.accuracy!);
          curve.validation.push(p.validation!.heads.digit!.accuracy!);
        },
      });
    } else {
      // The trainer's loop (same shuffles) without precise BN: evaluation reads the moving averages.
      const optimizer = makeOptimizer(spec.training);
      const steps = Math.ceil(train.size / 32) * epochs;
      let step = 0;
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = permutation(train.size, seed * 1_000_003 + epoch);
        let correct = 0;
        for (let from = 0; from < order.length; from += 32) {
          const batch = train.batch(order.slice(from, from + 32), false);
          correct += trainStep(model, optimizer, batch, step++ / steps).heads.digit!.correct;
          tf.dispose(Object.values(batch.inputs));
        }
        curve.train.push(correct / train.size);
        curve.validation.push((await evaluateLosses(model, val, 32)).heads.digit!.accuracy!);
      }
      optimizer.dispose();
    }
  } finally {
    model.dispose();
  }
  curve.seconds = (performance.now() - started) / 1000;
  return curve;
}

/** Throws, with the command that installs it, when PyTorch cannot be imported. */
export function requireTorch(python = PYTHON): void {
  const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `bench:bn-parity needs PyTorch for its reference half, and ${python} cannot import torch and numpy ` +
        `(${(probe.stderr || probe.error?.message || '').trim().split('\n').at(-1)}).\nInstall it: sudo apt-get install -y python3-torch`,
    );
  }
}

/** Writes the arrays the peer reads (the same floats Polyhead trains on). */
function writePeerData(dir: string, train: Digits, val: Digits): void {
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ height: SIDE, width: SIDE, channels: 1, classes: 10, trunk: TRUNK }));
  for (const [name, d] of [
    ['train', train],
    ['val', val],
  ] as const) {
    writeFileSync(path.join(dir, `${name}-x.f32`), Buffer.from(d.x.buffer, d.x.byteOffset, d.x.byteLength));
    writeFileSync(path.join(dir, `${name}-y.u8`), d.y);
  }
}

function runPeer(dir: string, seed: number, epochs: number): Curve {
  const started = performance.now();
  const out = execFileSync(PYTHON, [peerScript, dir, String(seed), String(epochs), '32', '0.001', '1'], { encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { validation: number[]; train: number[] };
  return { validation: result.validation, train: result.train, seconds: (performance.now() - started) / 1000 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(1)} ± ${(100 * sd(xs)).toFixed(1)}`.padStart(14);

/** Validation accuracy per epoch, mean ± sd over seeds, one column per trainer. */
export function table(curves: Record<string, Curve[]>, epochs: number): string {
  const names = Object.keys(curves);
  const lines = ['epoch' + names.map((n) => n.padStart(16)).join('')];
  for (let e = 0; e < epochs; e++) lines.push(String(e + 1).padEnd(5) + names.map((n) => pct(curves[n]!.map((c) => c.validation[e]!)).padStart(16)).join(''));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const given = parseArgs({ options: { seeds: { type: 'string' }, epochs: { type: 'string' }, train: { type: 'string' }, val: { type: 'string' } } }).values;
  const seeds = Number(given.seeds ?? 3);
  const epochs = Number(given.epochs ?? 5);
  requireTorch();
  const choice = await selectBackend();
  const train = loadDigits('train-images-first10k-idx3-ubyte.gz', 'train-labels-first10k-idx1-ubyte.gz', Number(given.train ?? 2000));
  const val = loadDigits('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', Number(given.val ?? 1000));
  console.log(
    `bn-parity: ${train.n} MNIST training digits, ${val.n} validation digits (official test set), 28x28, ` +
      `conv 16/32 + batch norm + dense 64, Adam 1e-3, batch 32, ${epochs} epochs, seeds 1..${seeds}; Polyhead on ${choice.name}, PyTorch CPU 1 thread`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'polyhead-bn-parity-'));
  const curves: Record<string, Curve[]> = { pytorch: [], polyhead: [], 'moving 0.99': [], 'moving 0.9': [] };
  try {
    writePeerData(dir, train, val);
    for (let seed = 1; seed <= seeds; seed++) {
      curves.pytorch!.push(runPeer(dir, seed, epochs));
      for (const variant of ['polyhead', 'moving 0.99', 'moving 0.9'] as const) {
        curves[variant]!.push(await runPolyhead(variant, asTrainData(train), asTrainData(val), seed, epochs));
      }
      const last = (n: string) => `${n} ${(100 * curves[n]!.at(-1)!.validation.at(-1)!).toFixed(1)}%`;
      console.log(`seed ${seed}: final validation accuracy ${Object.keys(curves).map(last).join(', ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const final = (n: string) => curves[n]!.map((c) => c.validation.at(-1)!);
  const gap = mean(final('polyhead')) - mean(final('pytorch'));
  const trainGap = mean(curves.polyhead!.map((c) => c.train.at(-1)! - c.validation.at(-1)!));
  console.log(`\nvalidation accuracy (%), mean ± sd over ${seeds} seeds\n${table(curves, epochs)}`);
  console.log(
    `\nfinal gap, polyhead − pytorch: ${(100 * gap).toFixed(1)} points (before the fix, moving 0.99 − pytorch: ` +
      `${(100 * (mean(final('moving 0.99')) - mean(final('pytorch')))).toFixed(1)}); polyhead training − validation accuracy: ${(100 * trainGap).toFixed(1)} points`,
  );
  await writeResult('bn-parity', {
    sizes: { train: train.n, validation: val.n, epochs, seeds, batch: 32, learningRate: 1e-3 },
    backend: choice.name,
    finalGap: gap,
    meanValidation: Object.fromEntries(Object.entries(curves).map(([n, cs]) => [n, cs[0]!.validation.map((_, e) => mean(cs.map((c) => c.validation[e]!)))])),
    curves,
  });
}

runAsScript('bn-parity', main);
