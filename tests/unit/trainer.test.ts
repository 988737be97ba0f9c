import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { tf } from '../../electron/engine/tf.js';
import { runTraining, type TrainProgress } from '../../electron/engine/trainer.js';
import { spec, synthetic, trainData } from '../engine-fixtures.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await tf.setBackend('cpu');
});
afterAll(() => cleanup());

const modelSpec = spec({
  name: 'resume',
  inputs: [{ name: 'x', height: 14, width: 14 }],
  trunk: { preset: 'mlp', hidden: [32] },
  heads: [
    { name: 'quad', target: { kind: 'target', target: 'quad' }, classes: ['tl', 'tr', 'bl', 'br'] },
    { name: 'level', target: { kind: 'target', target: 'level' }, classes: ['dim', 'mid', 'bright'], lossWeight: 0.5 },
  ],
  training: { epochs: 4, batchSize: 16, learningRate: 0.01, seed: 5, reportEvery: 4, schedule: { type: 'step', stepEpochs: 2, gamma: 0.5 } },
});
const data = trainData(synthetic(96, 21));
const val = trainData(synthetic(32, 22));
const weightsOf = (m: MultiHeadModel) => m.allWeights().map((w) => Array.from(w.read().dataSync()));

describe('training loop', () => {
  it('reports per-head progress, validates each epoch, and checkpoints every epoch', async () => {
    const model = new MultiHeadModel(modelSpec, null);
    const events: TrainProgress[] = [];
    const outcome = await runTraining({ model, train: data, validation: val, checkpointDir: path.join(dir, 'a'), onProgress: (p) => events.push(p) });
    expect(outcome).toEqual({ status: 'completed', epoch: 4, step: 24 });
    const epochs = events.filter((e) => e.kind === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(epochs.map((e) => e.learningRate)).toEqual([0.01, 0.01, 0.005, 0.005]);
    expect(events.filter((e) => e.kind === 'step').map((e) => e.step)).toEqual([4, 8, 12, 16, 20, 24]);
    const last = epochs.at(-1)!;
    expect(Object.keys(last.heads)).toEqual(['quad', 'level']);
    expect(last.heads.quad!.count).toBe(96);
    expect(last.heads.level!.count).toBeLessThan(96); // masked labels do not count
    expect(last.validation!.heads.quad!.accuracy).toBeGreaterThan(0.5);
    expect(epochs[3]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(readdirSync(path.join(dir, 'a')).sort()).toEqual(['epoch-0001', 'epoch-0002', 'epoch-0003', 'epoch-0004']);
    model.dispose();
  });

  it('a run resumed from a checkpoint ends with exactly the weights of an uninterrupted run', async () => {
    const straight = new MultiHeadModel(modelSpec, null);
    await runTraining({ model: straight, train: data });
    const expected = weightsOf(straight);
    straight.dispose();

    const first = new MultiHeadModel(modelSpec, null);
    let calls = 0;
    // Stop partway through epoch 3 (step 14 of 24), after the epoch-2 checkpoint.
    const stopped = await runTraining({ model: first, train: data, checkpointDir: path.join(dir, 'b'), control: () => (++calls > 14 ? 'cancel' : 'run') });
    expect(stopped).toEqual({ status: 'cancelled', epoch: 2, step: 14 });
    first.dispose();

    const resumed = new MultiHeadModel(modelSpec, null);
    const outcome = await runTraining({ model: resumed, train: data, checkpointDir: path.join(dir, 'b'), resumeFrom: path.join(dir, 'b', 'epoch-0002') });
    expect(outcome).toEqual({ status: 'completed', epoch: 4, step: 24 });
    expect(weightsOf(resumed)).toEqual(expected);
    resumed.dispose();
  });

  it('pauses between steps and resumes', async () => {
    const model = new MultiHeadModel({ ...modelSpec, training: { ...modelSpec.training, epochs: 1 } }, null);
    let state: 'run' | 'pause' = 'run';
    let steps = 0;
    const run = runTraining({
      model,
      train: data,
      onProgress: (p) => {
        steps = p.step;
        if (p.step === 4) state = 'pause';
      },
      control: () => state,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(steps).toBe(4);
    state = 'run';
    expect(await run).toEqual({ status: 'completed', epoch: 1, step: 6 });
    model.dispose();
  });
});
