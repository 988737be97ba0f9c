import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { recomputeBatchNormStatistics } from '../../electron/engine/precise-bn.js';
import { tf, type tfl } from '../../electron/engine/tf.js';
import { evaluateLosses, runTraining, type TrainProgress } from '../../electron/engine/trainer.js';
import { makeOptimizer, trainStep } from '../../electron/engine/train-step.js';
import { spec, synthetic, trainData, type Synthetic } from '../engine-fixtures.js';
import { tempDir } from '../helpers.js';

// Issue 12, fault 1: a conv trunk with batch norm trained for few steps evaluated with moving
// averages far from the real statistics (one class predicted for everything). wasm: the
// backend training uses, and fast enough to train a conv net in a unit test.
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await selectBackend('wasm');
});
afterAll(() => cleanup());

const convBn = (training: object = {}, trunk: object = {}) =>
  spec({
    name: 'small conv+bn',
    inputs: [{ name: 'x', height: 14, width: 14 }],
    trunk: { preset: 'conv', depth: 2, width: 8, dense: 32, ...trunk },
    heads: [
      { name: 'quad', target: { kind: 'target', target: 'quad' }, classes: ['tl', 'tr', 'bl', 'br'] },
      { name: 'level', target: { kind: 'target', target: 'level' }, classes: ['dim', 'mid', 'bright'], lossWeight: 0.5 },
    ],
    training: { epochs: 3, batchSize: 32, learningRate: 0.003, seed: 3, reportEvery: 1000, ...training },
  });

const batchNormLayers = (m: MultiHeadModel) => m.uniqueTrunks()[0]!.layers.filter((l) => l.getClassName() === 'BatchNormalization');
const stat = (layer: tfl.layers.Layer, suffix: string) =>
  Array.from(
    layer.weights
      .find((w) => w.originalName.endsWith(suffix))!
      .read()
      .dataSync(),
  );

/** Per-channel mean and variance of what reaches the trunk's layer `upTo`, over the whole set at once. */
function populationMoments(m: MultiHeadModel, data: Synthetic, upTo: number): { mean: number[]; variance: number[] } {
  return tf.tidy(() => {
    let h: tf.Tensor = tf.tensor4d(data.pixels, [data.n, data.size, data.size, 1]);
    for (const layer of m.uniqueTrunks()[0]!.layers.slice(0, upTo)) h = layer.apply(h, { training: false }) as tf.Tensor;
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return { mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()) };
  });
}

/** The fixture's squares dark on a light background, as text on paper: batch-norm inputs with a mean far from 0. */
function onPaper(data: Synthetic): Synthetic {
  return { ...data, pixels: data.pixels.map((v) => 1 - v) };
}

const close = (a: number[], b: number[], tolerance: number) => a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(tolerance * (1 + Math.abs(b[i]!))));

describe('batch norm on small data', () => {
  it('a small conv+BN model evaluates within a few points of its training accuracy', async () => {
    // 8 steps an epoch: Keras' momentum 0.99 left the moving averages mostly at their initial 0 and 1.
    const train = onPaper(synthetic(256, 31));
    const model = new MultiHeadModel(convBn(), null);
    const epochs: TrainProgress[] = [];
    await runTraining({
      model,
      train: trainData(train),
      validation: trainData(onPaper(synthetic(128, 32))),
      onProgress: (p) => p.kind === 'epoch' && epochs.push(p),
    });
    const trained = epochs.at(-1)!;
    const training = trained.heads.quad!.accuracy!;
    expect(training).toBeGreaterThan(0.9);
    // The same training images, evaluated (inference mode), and the held-out validation set.
    const evaluated = (await evaluateLosses(model, trainData(train), 32)).heads.quad!.accuracy!;
    expect(Math.abs(evaluated - training)).toBeLessThan(0.05);
    expect(trained.validation!.heads.quad!.accuracy!).toBeGreaterThan(training - 0.08);
    model.dispose();
  });

  it('the momentum is a spec option, 0.9 (PyTorch 0.1) by default', () => {
    const momentum = (m: MultiHeadModel) => batchNormLayers(m).map((l) => (l.getConfig() as { momentum: number }).momentum);
    const byDefault = new MultiHeadModel(convBn(), null);
    const keras = new MultiHeadModel(convBn({}, { batchNormMomentum: 0.99 }), null);
    expect(momentum(byDefault)).toEqual([0.9, 0.9]);
    expect(momentum(keras)).toEqual([0.99, 0.99]);
    byDefault.dispose();
    keras.dispose();
  });

  it('recomputes the exact population statistics of every layer, whatever the batch size, with no tensor left behind', async () => {
    const data = synthetic(150, 41);
    const model = new MultiHeadModel(convBn(), null);
    const optimizer = makeOptimizer(model.spec.training);
    const feed = trainData(data);
    for (let s = 0; s < 3; s++) {
      const batch = feed.batch(
        [...Array(32).keys()].map((i) => i + 32 * s),
        false,
      );
      trainStep(model, optimizer, batch, 0);
      tf.dispose(Object.values(batch.inputs));
    }
    const before = tf.memory().numTensors;
    expect(await recomputeBatchNormStatistics(model, feed, { batchSize: 64 })).toEqual({ layers: 2, examples: 150 });
    expect(tf.memory().numTensors).toBe(before);
    const layers = model.uniqueTrunks()[0]!.layers;
    const bn = batchNormLayers(model);
    // Each layer's statistics are those of its inputs with the layers before it in inference mode.
    for (const layer of bn) {
      const expected = populationMoments(model, data, layers.indexOf(layer));
      close(stat(layer, 'moving_mean'), expected.mean, 1e-4);
      close(stat(layer, 'moving_variance'), expected.variance, 1e-4);
    }
    const first = bn.map((l) => stat(l, 'moving_variance'));
    await recomputeBatchNormStatistics(model, feed, { batchSize: 7 });
    bn.forEach((l, i) => close(stat(l, 'moving_variance'), first[i]!, 1e-5));
    // A sample: a seeded subset, the same one every time.
    expect(await recomputeBatchNormStatistics(model, feed, { examples: 100 })).toEqual({ layers: 2, examples: 100 });
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
  });

  it('leaves models without batch norm alone', async () => {
    const model = new MultiHeadModel(convBn({}, { batchNorm: false }), null);
    expect(await recomputeBatchNormStatistics(model, trainData(synthetic(20, 1)))).toEqual({ layers: 0, examples: 0 });
    model.dispose();
  });

  it('a resumed conv+BN run ends with exactly the weights and statistics of an uninterrupted one', async () => {
    const s = convBn({ epochs: 2 });
    const data = trainData(synthetic(96, 51));
    const weights = (m: MultiHeadModel) => m.allWeights().map((w) => Array.from(w.read().dataSync()));
    const straight = new MultiHeadModel(s, null);
    await runTraining({ model: straight, train: data });
    const expected = weights(straight);
    straight.dispose();
    const first = new MultiHeadModel(s, null);
    let calls = 0;
    await runTraining({ model: first, train: data, checkpointDir: path.join(dir, 'bn'), control: () => (++calls > 4 ? 'cancel' : 'run') });
    first.dispose();
    const resumed = new MultiHeadModel(s, null);
    await runTraining({ model: resumed, train: data, resumeFrom: path.join(dir, 'bn', 'epoch-0001') });
    expect(weights(resumed)).toEqual(expected);
    resumed.dispose();
  });
});
