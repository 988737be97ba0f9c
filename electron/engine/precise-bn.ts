/**
 * Precise batch norm (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm"): the population
 * mean and variance of every batch-norm layer, recomputed over (a sample of) the training set
 * with the current weights, replace the moving averages. Moving averages mix statistics of
 * weights long gone and, after few steps, the initial mean 0 / variance 1: evaluated with
 * them, a small-data model can predict one class for everything. After this, evaluation no
 * longer depends on how many steps ran or on the momentum.
 *
 * Method, layer by layer in the order the trunk applies them: the sample goes through the
 * layers before batch-norm layer k in inference mode — batch-norm layers before k already
 * normalizing with their recomputed statistics, exactly as at evaluation — and the
 * per-channel mean and (population) variance of what reaches layer k are accumulated over
 * the whole sample (per-batch moments combined in float64 with Chan's formula, so the result
 * does not depend on the batch size). Then layer k's statistics are written and the next
 * layer is done. This costs one partial forward pass over the sample per batch-norm layer,
 * and, unlike averaging per-batch statistics with training-mode forward passes (fvcore's
 * update_bn_stats), gives each layer the true statistics of the inputs it sees at
 * inference, between-batch variance included.
 *
 * The sample is fixed (a seeded choice of examples, no augmentation: the inputs as
 * evaluation sees them), so the same weights always give the same statistics and a resumed
 * run stays exact. Tensors are created and released per batch: the tensor count is unchanged.
 */
import type { MultiHeadModel } from './model.js';
import { permutation } from './sampling.js';
import { tf, type tfl } from './tf.js';
import type { TrainData } from './train-data.js';

export interface PreciseBnOptions {
  /** Examples used (a seeded sample when the set is larger; default 2048, the whole set when smaller). */
  examples?: number;
  /** Examples per forward pass (default 32); it changes only speed and memory, not the result. */
  batchSize?: number;
  /** Seed of the sample (default 0). */
  seed?: number;
}

export interface PreciseBnReport {
  /** Batch-norm layers recomputed (0: the model has none, nothing was run). */
  layers: number;
  /** Examples the statistics were computed over. */
  examples: number;
}

type Layer = tfl.layers.Layer;

const isBatchNorm = (layer: Layer) => layer.getClassName() === 'BatchNormalization';

/** Running per-channel moments, combined batch by batch (Chan et al.), in float64. */
class Moments {
  count = 0;
  mean: Float64Array;
  m2: Float64Array;
  constructor(channels: number) {
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
  }
  add(n: number, mean: Float32Array, variance: Float32Array): void {
    const total = this.count + n;
    for (let c = 0; c < this.mean.length; c++) {
      const delta = mean[c]! - this.mean[c]!;
      this.m2[c] = this.m2[c]! + variance[c]! * n + ((delta * delta * this.count) / total) * n;
      this.mean[c] = this.mean[c]! + (delta * n) / total;
    }
    this.count = total;
  }
  variance(): Float32Array {
    return Float32Array.from(this.m2, (m) => m / Math.max(1, this.count));
  }
}

function statistic(layer: Layer, suffix: string): tfl.LayerVariable {
  const variable = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (!variable) throw new Error(`batch-norm layer ${layer.name} has no ${suffix}`);
  return variable;
}

/**
 * Recomputes the moving mean and variance of every batch-norm layer of the model's trunks
 * over `data` (the training set). Call it after training steps and before any evaluation
 * or checkpoint; calling it twice with the same weights and data gives the same statistics.
 */
export async function recomputeBatchNormStatistics(model: MultiHeadModel, data: TrainData, options: PreciseBnOptions = {}): Promise<PreciseBnReport> {
  const trunks = model.uniqueTrunks().filter((t) => t.layers.some(isBatchNorm));
  if (trunks.length === 0 || data.size === 0) return { layers: 0, examples: 0 };
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const order = permutation(data.size, options.seed ?? 0);
  const sample = order.slice(0, Math.min(data.size, options.examples ?? 2048)).sort((a, b) => a - b);
  let recomputed = 0;
  for (const trunk of trunks) {
    // A shared trunk sees every input's images: its statistics are over all of them.
    const inputs = [...model.trunks].filter(([, t]) => t === trunk).map(([name]) => name);
    const layers = trunk.layers.filter((l) => l.getClassName() !== 'InputLayer');
    for (const [k, layer] of layers.entries()) {
      if (!isBatchNorm(layer)) continue;
      let moments: Moments | null = null;
      for (let from = 0; from < sample.length; from += batchSize) {
        const chunk = sample.slice(from, from + batchSize);
        // A streaming source holds only what it was asked for (the training renderer's data comes over a port).
        if (data.prepare) await data.prepare(chunk);
        const batch = data.batch(chunk, false);
        try {
          for (const name of inputs) {
            const x = batch.inputs[name];
            if (!x) throw new Error(`no batch for input '${name}'`);
            const [meanT, varianceT, n] = tf.tidy(() => {
              let h: tf.Tensor = x;
              for (const before of layers.slice(0, k)) h = before.apply(h, { training: false }) as tf.Tensor;
              const axes = h.shape.slice(0, -1).map((_, i) => i);
              const m = tf.moments(h, axes);
              return [m.mean, m.variance, h.size / h.shape.at(-1)!] as const;
            });
            // Asynchronous reads: WebGPU cannot read synchronously in Node.
            const [mean, variance] = (await Promise.all([meanT.data(), varianceT.data()])) as [Float32Array, Float32Array];
            tf.dispose([meanT, varianceT]);
            moments ??= new Moments(mean.length);
            moments.add(n, mean, variance);
          }
        } finally {
          tf.dispose(Object.values(batch.inputs));
        }
      }
      const m = moments!;
      tf.tidy(() => {
        statistic(layer, 'moving_mean').write(tf.tensor1d(Float32Array.from(m.mean)));
        statistic(layer, 'moving_variance').write(tf.tensor1d(m.variance()));
      });
      recomputed++;
    }
  }
  return { layers: recomputed, examples: sample.length };
}
