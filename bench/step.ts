/**
 * The timed step of the training benchmarks: the engine's model and masked multi-head loss,
 * tf.variableGrads inside tf.tidy and the optimizer, ending with one asynchronous read of the
 * loss. The read is the step's end on every backend (a GPU queues work; PyTorch's peer ends its
 * step with loss.item() likewise), and it is asynchronous because WebGPU cannot read
 * synchronously in Node (tfjs-backend-webgpu's readSync needs OffscreenCanvas).
 */
import type { MultiHeadModel } from '../electron/engine/model.js';
import { tf } from '../electron/engine/tf.js';
import { losses, type Batch } from '../electron/engine/train-step.js';

/** One optimisation step; resolves with the combined loss once the backend has computed it. */
export async function timedTrainStep(model: MultiHeadModel, optimizer: tf.Optimizer, batch: Batch, progress: number): Promise<number> {
  const variables = model.trainableVariables();
  const total = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => losses(model, model.forward(batch.inputs, true, progress), batch.labels).total, variables);
    optimizer.applyGradients(grads);
    return value;
  });
  const [value] = await total.data();
  total.dispose();
  return value!;
}

/** Class probabilities of every head for one batch, read back (inference). */
export async function timedInference(model: MultiHeadModel, batch: Batch): Promise<void> {
  const probabilities = tf.tidy(() => Object.values(model.forward(batch.inputs, false)).map((z) => tf.softmax(z)));
  await Promise.all(probabilities.map((p) => p.data()));
  tf.dispose(probabilities);
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
