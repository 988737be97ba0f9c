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

/** One optimisation step on one batch. */
export function trainStep(model: MultiHeadModel, optimizer: tf.Optimizer, batch: Batch, progress: number): StepResult {
  const kept: Record<string, HeadTensors> = {};
  const variables = model.trainableVariables();
  const total = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const result = losses(model, model.forward(batch.inputs, true, progress), batch.labels);
      for (const [name, h] of Object.entries(result.heads)) kept[name] = { loss: tf.keep(h.loss), correct: tf.keep(h.correct), count: tf.keep(h.count) };
      return result.total;
    }, variables);
    optimizer.applyGradients(grads);
    return value;
  });
  const heads: Record<string, HeadStep> = {};
  for (const [name, h] of Object.entries(kept)) {
    heads[name] = { loss: h.loss.dataSync()[0]!, correct: h.correct.dataSync()[0]!, count: h.count.dataSync()[0]! };
    tf.dispose([h.loss, h.correct, h.count]);
  }
  const value = total.dataSync()[0]!;
  total.dispose();
  return { total: value, heads };
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

/** Class probabilities of every head (inference). */
export function predictProbabilities(model: MultiHeadModel, inputs: Inputs): Record<string, Float32Array> {
  return tf.tidy(() => {
    const logits = model.forward(inputs, false);
    const out: Record<string, Float32Array> = {};
    for (const [name, z] of Object.entries(logits)) out[name] = tf.softmax(z).dataSync() as Float32Array;
    return out;
  });
}
