/**
 * `npm run bench:ee559`: the digit-pair comparison study of EPFL EE559 on the real MNIST files in
 * ../shared/data/mnist: 1000 training and 1000 test pairs of 14x14 digits (2x2 average-pooled,
 * as the course's generate_pair_sets), target "first digit ≤ second", digit classes as
 * auxiliary targets. Each configuration is a model spec trained by the Polyhead engine, over
 * several seeds; prints mean ± std test error next to the published figures and writes
 * bench/results/ee559.json.
 */
import os from 'node:os';
import { parseModelSpec, type ModelSpecInput } from '../shared/model-spec.js';
import { mulberry32 } from '../shared/random.js';
import { selectBackend } from '../electron/engine/backend.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { tf } from '../electron/engine/tf.js';
import { predictProbabilities } from '../electron/engine/train-step.js';
import { runTraining } from '../electron/engine/trainer.js';
import { runAsScript, writeResult } from './common.js';
import { loadPairs, pairData, type Pairs } from './ee559-data.js';

export { loadPairs } from './ee559-data.js';

const digits = (w: number) => [
  { name: 'digit_a', target: { kind: 'position' as const, target: 'digits', position: 0, input: 'a' }, classes: [...'0123456789'], lossWeight: w },
  { name: 'digit_b', target: { kind: 'position' as const, target: 'digits', position: 0, input: 'b' }, classes: [...'0123456789'], lossWeight: w },
];
const compare = (w: number, hidden: number[] = []) => ({
  name: 'le',
  target: { kind: 'compare' as const, target: 'digits', op: 'le' as const, a: 'a', b: 'b' },
  lossWeight: w,
  hidden,
});
const inputs = [
  { name: 'a', height: 14, width: 14 },
  { name: 'b', height: 14, width: 14 },
];

export interface Config {
  name: string;
  published: number | null;
  spec: (seed: number, epochs: number) => ModelSpecInput;
  /** 'argmax': the comparison is read off the two digit heads. */
  readout: 'head' | 'argmax';
}

export const CONFIGS: Config[] = [
  {
    name: 'fully connected baseline',
    published: 28.92,
    readout: 'head',
    spec: (seed, epochs) => ({
      name: 'fc',
      inputs,
      trunk: { preset: 'mlp', hidden: [128] },
      shareTrunk: false,
      heads: [compare(1, [64])],
      training: { epochs, batchSize: 100, seed, validation: 0, test: 0 },
    }),
  },
  {
    name: '+ weight sharing',
    published: 26.53,
    readout: 'head',
    spec: (seed, epochs) => ({
      name: 'fc-ws',
      inputs,
      trunk: { preset: 'mlp', hidden: [128] },
      heads: [compare(1, [64])],
      training: { epochs, batchSize: 100, seed, validation: 0, test: 0 },
    }),
  },
  {
    name: '+ auxiliary loss (α=0.9)',
    published: 8.57,
    readout: 'head',
    spec: (seed, epochs) => ({
      name: 'fc-ws-aux',
      inputs,
      trunk: { preset: 'mlp', hidden: [128] },
      heads: [compare(0.1, [64]), ...digits(0.9)],
      training: { epochs, batchSize: 100, seed, validation: 0, test: 0 },
    }),
  },
  {
    name: 'LeNet-5 + weight sharing + aux',
    published: 7.45,
    readout: 'head',
    spec: (seed, epochs) => ({
      name: 'lenet-ws-aux',
      inputs,
      trunk: { preset: 'lenet5' },
      heads: [compare(0.1, [64]), ...digits(0.9)],
      training: { epochs, batchSize: 100, seed, validation: 0, test: 0 },
    }),
  },
  {
    name: 'digit classifier + argmax comparison',
    published: 4.57,
    readout: 'argmax',
    spec: (seed, epochs) => ({
      name: 'lenet-argmax',
      inputs,
      trunk: { preset: 'lenet5' },
      heads: [compare(0), ...digits(1)],
      training: { epochs, batchSize: 100, seed, validation: 0, test: 0 },
    }),
  },
  {
    name: 'ours: conv stack + aux + shifts, argmax',
    published: null,
    readout: 'argmax',
    spec: (seed, epochs) => ({
      name: 'ours',
      inputs,
      trunk: { preset: 'conv', depth: 2, width: 32, growth: 2, batchNorm: true, dense: 128 },
      heads: [compare(0.1, [64]), ...digits(0.9)],
      training: {
        epochs: Math.round(epochs * 1.6),
        batchSize: 50,
        seed,
        validation: 0,
        test: 0,
        augmentShift: 1,
        schedule: { type: 'cosine' },
        learningRate: 0.002,
      },
    }),
  },
];

/** Test error (%) of one configuration and seed. */
export async function runConfig(config: Config, seed: number, epochs: number, train: Pairs, test: Pairs): Promise<number> {
  const parsed = parseModelSpec(config.spec(seed, epochs));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const model = new MultiHeadModel(parsed.spec, null);
  try {
    const trainData = pairData(train);
    if (parsed.spec.training.augmentShift > 0) {
      // Random 1-pixel shifts of both digits (the engine's store pipeline does this for images).
      const base = trainData.batch.bind(trainData);
      const random = mulberry32(seed + 77);
      trainData.batch = (indices, augment) => {
        const b = base(indices, augment);
        if (!augment) return b;
        for (const key of ['a', 'b'] as const) {
          const x = b.inputs[key]!;
          const dy = Math.round(random() * 2 - 1);
          const dx = Math.round(random() * 2 - 1);
          const shifted = tf.tidy(() =>
            tf.slice(
              tf.pad(x, [
                [0, 0],
                [1, 1],
                [1, 1],
                [0, 0],
              ]),
              [0, 1 - dy, 1 - dx, 0],
              x.shape,
            ),
          );
          x.dispose();
          b.inputs[key] = shifted as tf.Tensor4D;
        }
        return b;
      };
    }
    await runTraining({ model, train: trainData });
    const testData = pairData(test);
    let wrong = 0;
    for (let from = 0; from < test.n; from += 250) {
      const indices = Array.from({ length: Math.min(250, test.n - from) }, (_, i) => from + i);
      const batch = testData.batch(indices, false);
      const p = await predictProbabilities(model, batch.inputs);
      tf.dispose(Object.values(batch.inputs));
      indices.forEach((i, k) => {
        let le: number;
        if (config.readout === 'argmax') {
          const argmax = (probs: Float32Array) => {
            const row = probs.subarray(k * 10, (k + 1) * 10);
            return row.indexOf(Math.max(...row));
          };
          le = argmax(p.digit_a!) <= argmax(p.digit_b!) ? 1 : 0;
        } else {
          le = p.le![k * 2 + 1]! > p.le![k * 2]! ? 1 : 0;
        }
        if (le !== test.le[i]) wrong++;
      });
    }
    return (100 * wrong) / test.n;
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const seeds = Number(process.argv[2] ?? 10);
  const epochs = Number(process.argv[3] ?? 25);
  const choice = await selectBackend();
  const started = Date.now();
  const rows: { config: string; published: number | null; errors: number[]; mean: number; std: number }[] = [];
  console.log(
    `EE559 digit pairs: 1000 train / 1000 test pairs of 14x14 MNIST digits, ${seeds} seeds, ${epochs} epochs, backend ${choice.name}, ${os.availableParallelism()} cores\n`,
  );
  console.log('configuration'.padEnd(42) + 'error %'.padStart(16) + 'published'.padStart(11));
  for (const config of CONFIGS) {
    const errors: number[] = [];
    for (let s = 0; s < seeds; s++) {
      // New pairs and a new initialisation per seed, as in the study.
      const { train, test } = loadPairs(1000, s);
      errors.push(await runConfig(config, s + 1, epochs, train, test));
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const std = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, errors.length - 1));
    rows.push({ config: config.name, published: config.published, errors, mean, std });
    console.log(
      config.name.padEnd(42) +
        `${mean.toFixed(2)} ± ${std.toFixed(2)}`.padStart(16) +
        (config.published === null ? '—' : config.published.toFixed(2)).padStart(11),
    );
  }
  console.log(`\n${((Date.now() - started) / 60000).toFixed(1)} min`);
  await writeResult('ee559', { seeds, epochs, backend: choice.name, rows });
}

runAsScript('ee559', main);
