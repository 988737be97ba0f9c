/**
 * Checkpoints: every weight (batch-norm statistics included), the optimizer's state (Adam
 * moments, iteration count) and where training stood (epoch, step). Written atomically
 * (a temporary folder renamed into place), so a crash leaves the previous checkpoint whole.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MultiHeadModel } from './model.js';
import { tf } from './tf.js';

export interface CheckpointManifest {
  format: 1;
  /** Epochs completed. */
  epoch: number;
  step: number;
  weights: { name: string; shape: number[] }[];
  optimizer: { name: string; shape: number[] }[];
  createdAt: string;
}

export interface Checkpoint {
  manifest: CheckpointManifest;
  dir: string;
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

export async function saveCheckpoint(dir: string, model: MultiHeadModel, optimizer: tf.Optimizer, epoch: number, step: number): Promise<Checkpoint> {
  const weights = model.allWeights();
  const optimizerWeights = await optimizer.getWeights();
  const manifest: CheckpointManifest = {
    format: 1,
    epoch,
    step,
    weights: weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] })),
    optimizer: optimizerWeights.map((w) => ({ name: w.name, shape: [...w.tensor.shape] })),
    createdAt: new Date().toISOString(),
  };
  // Asynchronous reads: WebGPU cannot read synchronously in Node.
  const data = concat((await Promise.all([...weights.map((w) => w.read().data()), ...optimizerWeights.map((w) => w.tensor.data())])) as Float32Array[]);
  const final = path.join(dir, `epoch-${String(epoch).padStart(4, '0')}`);
  const temp = `${final}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  await writeFile(path.join(temp, 'weights.bin'), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  await writeFile(path.join(temp, 'manifest.json'), JSON.stringify(manifest, null, 1));
  await rm(final, { recursive: true, force: true });
  await rename(temp, final);
  return { manifest, dir: final };
}

/** Restores weights and optimizer state; the model must be built from the same spec. */
export async function loadCheckpoint(dir: string, model: MultiHeadModel, optimizer: tf.Optimizer | null): Promise<CheckpointManifest> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest;
  const raw = await readFile(path.join(dir, 'weights.bin'));
  const data = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const weights = model.allWeights();
  if (weights.length !== manifest.weights.length) {
    throw new Error(`checkpoint ${dir} holds ${manifest.weights.length} weights, the model has ${weights.length}: not the same spec`);
  }
  let offset = 0;
  const take = (shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const slice = data.subarray(offset, offset + size);
    offset += size;
    return slice;
  };
  weights.forEach((w, i) => {
    const saved = manifest.weights[i]!;
    if (saved.shape.join('x') !== w.shape.join('x')) {
      throw new Error(`checkpoint ${dir}: weight ${saved.name} is ${saved.shape.join('x')}, the model's ${w.originalName} is ${w.shape.join('x')}`);
    }
    const value = tf.tensor(take(saved.shape), saved.shape);
    w.write(value);
    value.dispose();
  });
  if (optimizer) {
    const values = manifest.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(take(o.shape), o.shape) }));
    await optimizer.setWeights(values);
    tf.dispose(values.map((v) => v.tensor));
  }
  return manifest;
}
