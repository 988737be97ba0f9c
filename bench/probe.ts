/**
 * A linear-readout-style probe for bench:svhn-synth: how much of a label (the font style) can
 * still be read from a frozen trunk's features by a fresh classifier, next to chance.
 */
import type { toTrainData } from '../electron/engine/memory-data.js';
import type { MultiHeadModel } from '../electron/engine/model.js';
import { tf, tfl } from '../electron/engine/tf.js';

/** The share of the most frequent label: the accuracy of always answering it (chance). */
export const majority = (labels: number[]) => {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.length > 0 ? Math.max(...counts.values()) / labels.length : 0;
};

/** Trunk features [n, d] of examples, in batches (inference mode). */
export function features(model: MultiHeadModel, data: ReturnType<typeof toTrainData>): tf.Tensor2D {
  const trunk = model.trunks.get('x')!;
  const parts: tf.Tensor2D[] = [];
  for (let from = 0; from < data.size; from += 256) {
    const batch = data.batch(
      Array.from({ length: Math.min(256, data.size - from) }, (_, i) => from + i),
      false,
    );
    parts.push(tf.tidy(() => trunk.apply(batch.inputs.x!, { training: false }) as tf.Tensor2D));
    tf.dispose(Object.values(batch.inputs));
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

/**
 * A fresh classifier (MLP, 64 hidden units) fitted on frozen features: how much of the label
 * can still be read from them. Fitted on `fit`, scored on each of `score`.
 */
export async function probe(
  fit: { x: tf.Tensor2D; y: number[] },
  score: { x: tf.Tensor2D; y: number[] }[],
  classes: number,
  epochs: number,
  seed: number,
): Promise<number[]> {
  const d = fit.x.shape[1];
  const net = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [d], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  // Features standardised with the fitting set's statistics.
  const { mean, variance } = tf.moments(fit.x, 0);
  const std = tf.sqrt(tf.add(variance, 1e-6));
  const norm = (x: tf.Tensor2D) => tf.div(tf.sub(x, mean), std) as tf.Tensor2D;
  const xs = norm(fit.x);
  const ys = tf.oneHot(tf.tensor1d(fit.y, 'int32'), classes);
  net.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  await net.fit(xs, ys, { epochs, batchSize: 64, shuffle: true, verbose: 0 });
  const out = score.map((s) =>
    tf.tidy(() => {
      const predicted = (net.predict(norm(s.x)) as tf.Tensor2D).argMax(1).dataSync();
      let correct = 0;
      s.y.forEach((y, i) => (correct += predicted[i] === y ? 1 : 0));
      return s.y.length > 0 ? correct / s.y.length : 0;
    }),
  );
  tf.dispose([xs, ys, mean, variance, std]);
  net.dispose();
  return out;
}
