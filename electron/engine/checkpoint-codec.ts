/**
 * A checkpoint as data: every weight (batch-norm statistics included), then the optimizer's
 * state (Adam moments, iteration count), as one float32 array, with a manifest naming each
 * part and where training stood (epoch, step). No files here: the trainer hands checkpoints
 * to a CheckpointStore (checkpoint-files.ts in Node; over the port to the data side from
 * the training renderer, sides/), so a checkpoint made on any backend, in any host, is the
 * same bytes on disk and resumes on any other.
 */
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

export interface EncodedCheckpoint {
  manifest: CheckpointManifest;
  /** The weights, then the optimizer's state, in the manifest's order. */
  weights: Float32Array;
}

/** Where checkpoints are kept: `save` resolves with the name `load` takes back (a folder, for files); without `save`, load only. */
export interface CheckpointStore {
  save?(checkpoint: EncodedCheckpoint): Promise<string>;
  load(where: string): Promise<EncodedCheckpoint>;
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

export async function encodeCheckpoint(model: MultiHeadModel, optimizer: tf.Optimizer, epoch: number, step: number): Promise<EncodedCheckpoint> {
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
  return { manifest, weights: data };
}

/** Restores weights and (with an optimizer) its state; the model must be built from the same spec. `where` names it in errors. */
export async function applyCheckpoint(
  checkpoint: EncodedCheckpoint,
  model: MultiHeadModel,
  optimizer: tf.Optimizer | null,
  where: string,
): Promise<CheckpointManifest> {
  const { manifest, weights: data } = checkpoint;
  const weights = model.allWeights();
  if (weights.length !== manifest.weights.length) {
    throw new Error(`checkpoint ${where} holds ${manifest.weights.length} weights, the model has ${weights.length}: not the same spec`);
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
      throw new Error(`checkpoint ${where}: weight ${saved.name} is ${saved.shape.join('x')}, the model's ${w.originalName} is ${w.shape.join('x')}`);
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
