/**
 * The custom training step (tfjs model.fit cannot weight or mask per output): one combined
 * loss Σ_k w_k · masked_mean_k, differentiated with tf.variableGrads inside tf.tidy, applied
 * by the optimizer. A masked example gives its head no loss and no gradient.
 */
import type { TrainingSpec } from '../../shared/model-spec.js';
import type { Inputs, MultiHeadModel } from './model.js';
import { tf } from './tf.js';

/** Labels of one head for a batch: class index per example, and 1 where the label counts (0: masked). */
export interface HeadLabels {
  index: Int32Array;
  mask: Float32Array;
}

export interface Batch {
  inputs: Inputs;
  labels: Record<string, HeadLabels>;
}

export interface HeadStep {
  loss: number;
  correct: number;
  count: number;
}

export interface StepResult {
  total: number;
  heads: Record<string, HeadStep>;
}

interface HeadTensors {
  loss: tf.Scalar;
  correct: tf.Scalar;
  count: tf.Scalar;
}

/** Per-head masked losses and the combined loss, for logits already computed. */
export function losses(
  model: MultiHeadModel,
  logits: Record<string, tf.Tensor2D>,
  labels: Record<string, HeadLabels>,
): { total: tf.Scalar; heads: Record<string, HeadTensors> } {
  const heads: Record<string, HeadTensors> = {};
  const weighted: tf.Scalar[] = [];
  for (const head of model.resolved) {
    const name = head.spec.name;
    const l = labels[name];
    if (!l) throw new Error(`no labels for head '${name}'`);
    const z = logits[name]!;
    const index = tf.tensor1d(l.index, 'int32');
    const mask = tf.tensor1d(l.mask, 'float32');
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(index, head.classes.length), tf.logSoftmax(z)), 1));
    let weight: tf.Tensor = mask;
    if (head.spec.classWeights) {
      const cw = head.classes.map((c) => head.spec.classWeights?.[c] ?? 1);
      weight = tf.mul(mask, tf.gather(tf.tensor1d(cw), index));
    }
    const count = tf.sum(mask) as tf.Scalar;
    const loss = tf.div(tf.sum(tf.mul(weight, ce)), tf.maximum(count, 1)) as tf.Scalar;
    const correct = tf.sum(tf.mul(mask, tf.cast(tf.equal(tf.argMax(z, 1), index), 'float32'))) as tf.Scalar;
    heads[name] = { loss, correct, count };
    weighted.push(tf.mul(loss, head.spec.lossWeight) as tf.Scalar);
  }
  return { total: tf.addN(weighted) as tf.Scalar, heads };
}

export function makeOptimizer(training: TrainingSpec): tf.Optimizer {
  return training.optimizer === 'adam' ? tf.train.adam(training.learningRate) : tf.train.momentum(training.learningRate, training.momentum);
}

/** The learning rate of an epoch under the spec's schedule. */
export function learningRateAt(training: TrainingSpec, epoch: number): number {
  const s = training.schedule;
  if (s.type === 'step') return training.learningRate * s.gamma ** Math.floor(epoch / s.stepEpochs);
  if (s.type === 'cosine') return (training.learningRate * (1 + Math.cos((Math.PI * epoch) / training.epochs))) / 2;
  return training.learningRate;
}

/** Sets the optimizer's learning rate (Adam and momentum keep it in a plain field). */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

/**
 * Running sums of a pass's metrics, kept on the device: one vector [total loss, then per head
 * (loss x count, correct, count)]. Adding a step's figures is one tensor op and no host read;
 * `read()` is the one `await data()` of a report, so a GPU backend never stalls per step.
 */
export class DeviceMetrics {
  private sums: tf.Tensor1D | null = null;
  /** Batches added since the last reset (counted on the host: it needs no device value). */
  batches = 0;
  constructor(private readonly heads: string[]) {}

  /** Adds one batch's figures (called inside a tidy: the old sum is released, the new one kept). */
  add(total: tf.Scalar, perHead: Record<string, HeadTensors>): void {
    const parts: tf.Scalar[] = [total];
    for (const name of this.heads) {
      const h = perHead[name]!;
      parts.push(tf.mul(h.loss, h.count) as tf.Scalar, h.correct, h.count);
    }
    const vector = tf.stack(parts) as tf.Tensor1D;
    const old = this.sums;
    this.sums = tf.keep(old ? tf.add(old, vector) : vector);
    old?.dispose();
    this.batches++;
  }

  /** The sums so far, read from the device once. */
  async read(): Promise<StepResult & { batches: number }> {
    const values = this.sums ? await this.sums.data() : new Float32Array(1 + 3 * this.heads.length);
    return { ...unpack(values, this.heads), batches: this.batches };
  }

  /** The same, read synchronously (tests and benchmarks that want one step's figures; never in the trainer's loop). */
  readSync(): StepResult {
    return unpack(this.sums ? this.sums.dataSync() : new Float32Array(1 + 3 * this.heads.length), this.heads);
  }

  reset(): void {
    this.sums?.dispose();
    this.sums = null;
    this.batches = 0;
  }

  dispose(): void {
    this.reset();
  }
}

/** [total, (loss x count, correct, count) per head] → per-head figures (loss: the masked mean). */
function unpack(values: ArrayLike<number>, heads: string[]): StepResult {
  const result: StepResult = { total: values[0]!, heads: {} };
  heads.forEach((name, k) => {
    const count = values[2 + 3 * k + 1]!;
    result.heads[name] = { loss: count > 0 ? values[1 + 3 * k]! / count : 0, correct: values[1 + 3 * k + 1]!, count };
  });
  return result;
}

/**
 * One optimisation step on one batch; its loss, correct and counts are added to `metrics` on
 * the device, with no host read. The interface is backend-neutral: tensors in, tensors kept.
 */
export function trainStepOnDevice(model: MultiHeadModel, optimizer: tf.Optimizer, batch: Batch, progress: number, metrics: DeviceMetrics): void {
  const kept: Record<string, HeadTensors> = {};
  const variables = model.trainableVariables();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const result = losses(model, model.forward(batch.inputs, true, progress), batch.labels);
      for (const [name, h] of Object.entries(result.heads)) kept[name] = { loss: tf.keep(h.loss), correct: tf.keep(h.correct), count: tf.keep(h.count) };
      return result.total;
    }, variables);
    optimizer.applyGradients(grads);
    metrics.add(value, kept);
  });
  for (const h of Object.values(kept)) tf.dispose([h.loss, h.correct, h.count]);
}

/** One optimisation step on one batch, its figures read back at once (tests and benchmarks; the trainer reads them only per report). */
export function trainStep(model: MultiHeadModel, optimizer: tf.Optimizer, batch: Batch, progress: number): StepResult {
  const heads = model.resolved.map((h) => h.spec.name);
  const metrics = new DeviceMetrics(heads);
  try {
    trainStepOnDevice(model, optimizer, batch, progress, metrics);
    return metrics.readSync();
  } finally {
    metrics.dispose();
  }
}

/** Gradients of the combined loss for every trainable variable, by variable, without applying them (tests, inspection). */
export function gradientsOf(model: MultiHeadModel, batch: Batch, progress = 1, training = false): Map<tf.Variable, Float32Array> {
  const variables = model.trainableVariables();
  const result = new Map<tf.Variable, Float32Array>();
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => losses(model, model.forward(batch.inputs, training, progress), batch.labels).total, variables);
    for (const v of variables) result.set(v, grads[v.name]!.dataSync() as Float32Array);
  });
  return result;
}

/** Class probabilities of every head (inference), read asynchronously (WebGPU cannot read synchronously in Node). */
export async function predictProbabilities(model: MultiHeadModel, inputs: Inputs): Promise<Record<string, Float32Array>> {
  const probabilities = tf.tidy(() => Object.entries(model.forward(inputs, false)).map(([name, z]) => [name, tf.softmax(z)] as const));
  const out: Record<string, Float32Array> = {};
  for (const [name, p] of probabilities) out[name] = (await p.data()) as Float32Array;
  tf.dispose(probabilities.map(([, p]) => p));
  return out;
}
