import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { tf } from '../../electron/engine/tf.js';
import { runTraining, type TrainProgress } from '../../electron/engine/trainer.js';
import { makeOptimizer, trainStep } from '../../electron/engine/train-step.js';
import { permutation } from '../../electron/engine/sampling.js';
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

  it('keeps step metrics on the device: no dataSync in the loop, one data() per report, the same figures as per-step reads, no tensor growth', async () => {
    const oneEpoch = { ...modelSpec, training: { ...modelSpec.training, epochs: 3, schedule: { type: 'constant' as const } } };
    const model = new MultiHeadModel(oneEpoch, null);
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const data_ = vi.spyOn(tf.Tensor.prototype, 'data');
    const events: TrainProgress[] = [];
    const counts: number[] = [];
    await runTraining({
      model,
      train: data,
      onProgress: (p) => {
        events.push(p);
        if (p.kind === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    // 6 steps per epoch, a report every 4 steps (steps 4, 8, 12, 16) plus one per epoch: 7 reads, no sync read.
    expect(dataSync).not.toHaveBeenCalled();
    expect(data_).toHaveBeenCalledTimes(events.length);
    expect(events).toHaveLength(7);
    dataSync.mockRestore();
    data_.mockRestore();
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();

    // The same training with each step's figures read at once: the epoch sums must agree.
    const twin = new MultiHeadModel(oneEpoch, null);
    const optimizer = makeOptimizer(oneEpoch.training);
    let step = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = permutation(data.size, oneEpoch.training.seed * 1_000_003 + epoch);
      let total = 0;
      const sums = { loss: 0, correct: 0, count: 0 };
      for (let from = 0; from < order.length; from += 16) {
        const batch = data.batch(order.slice(from, from + 16), false, step);
        const r = trainStep(twin, optimizer, batch, step++ / 18);
        tf.dispose(Object.values(batch.inputs));
        total += r.total;
        sums.loss += r.heads.quad!.loss * r.heads.quad!.count;
        sums.correct += r.heads.quad!.correct;
        sums.count += r.heads.quad!.count;
      }
      const reported = events.filter((e) => e.kind === 'epoch')[epoch]!;
      expect(reported.loss).toBeCloseTo(total / 6, 4);
      expect(reported.heads.quad!.loss).toBeCloseTo(sums.loss / sums.count, 4);
      expect(reported.heads.quad!.accuracy).toBeCloseTo(sums.correct / sums.count, 6);
      expect(reported.heads.quad!.count).toBe(sums.count);
    }
    optimizer.dispose();
    twin.dispose();
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
