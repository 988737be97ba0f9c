/**
 * Training on the webgpu backend (software adapter here and in CI): the whole masked and
 * adversarial multi-head step equals the cpu backend's, a short run converges with a flat
 * tensor count, and a checkpoint written on wasm resumes on webgpu to the same evaluation.
 * Small models and few steps: a step takes about a second on the software adapter.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend.js';
import { loadCheckpoint } from '../../electron/engine/checkpoint.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import type { TrainData } from '../../electron/engine/train-data.js';
import { tf } from '../../electron/engine/tf.js';
import { evaluateLosses, runTraining, type TrainProgress } from '../../electron/engine/trainer.js';
import { DeviceMetrics, losses, makeOptimizer, trainStepOnDevice, type Batch } from '../../electron/engine/train-step.js';
import { batchOf, disposeBatch, spec, synthetic, trainData } from '../engine-fixtures.js';
import { tempDir } from '../helpers.js';
import { maxRelError, startForcedWebGpu } from '../webgpu-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const choice = await startForcedWebGpu();
  // The reason names the adapter, and says when it is a software one.
  expect(choice.reason).toMatch(/^requested \(webgpu\): WebGPU on .*isFallbackAdapter (true|false), via Dawn/);
  expect(choice.adapter).toBeDefined();
  if (choice.adapter!.software) expect(choice.reason).toMatch(/SOFTWARE adapter/);
});
afterAll(() => cleanup());

/** The conv preset with batch norm, a masked head and an adversarial head behind gradient reversal. */
const stepSpec = spec({
  name: 'masked adversarial',
  inputs: [{ name: 'x', height: 14, width: 14 }],
  trunk: { preset: 'conv', depth: 2, width: 4, growth: 2, batchNorm: true, dense: 16 },
  heads: [
    { name: 'quad', target: { kind: 'target', target: 'quad' }, classes: ['tl', 'tr', 'bl', 'br'] },
    { name: 'level', target: { kind: 'target', target: 'level' }, classes: ['dim', 'mid', 'bright'], lossWeight: 0.5, classWeights: { bright: 2 } },
    {
      name: 'adv',
      target: { kind: 'target', target: 'level' },
      classes: ['dim', 'mid', 'bright'],
      adversarial: { lambda: { schedule: 'dann', max: 0.3 } },
    },
  ],
  training: { epochs: 1, batchSize: 8, optimizer: 'adam', learningRate: 0.01, seed: 3 },
});

/** Gradients of the combined loss by variable, read asynchronously (WebGPU cannot read synchronously in Node). */
async function gradients(model: MultiHeadModel, batch: Batch, progress: number): Promise<Map<tf.Variable, Float32Array>> {
  const variables = model.trainableVariables();
  const grads = tf.tidy(() => {
    const g = tf.variableGrads(() => losses(model, model.forward(batch.inputs, true, progress), batch.labels).total, variables).grads;
    return variables.map((v) => g[v.name]!);
  });
  const result = new Map<tf.Variable, Float32Array>();
  for (const [i, v] of variables.entries()) result.set(v, (await grads[i]!.data()) as Float32Array);
  tf.dispose(grads);
  return result;
}

/** The fixture's data with the adversarial head's labels: the level's, masked alike. */
function withAdversary(data: TrainData): TrainData {
  return {
    size: data.size,
    batch(indices, augment, step) {
      const b = data.batch(indices, augment, step);
      b.labels.adv = b.labels.level!;
      return b;
    },
  };
}

describe('training on webgpu', () => {
  it('the masked + adversarial multi-head step: gradients and the updated weights equal the cpu backend', async () => {
    const data = synthetic(8, 31);
    await tf.setBackend('cpu');
    const model = new MultiHeadModel(stepSpec, null);
    const batch = batchOf(data, 0, 8);
    batch.labels.adv = batch.labels.level!;
    expect(Array.from(batch.labels.level!.mask)).toContain(0); // some labels are masked
    // Everything on cpu first, then on webgpu: data moves from cpu to webgpu, never back (that
    // move reads synchronously, which WebGPU cannot do in Node).
    const read = () => Promise.all(model.allWeights().map(async (w) => Float32Array.from(await w.read().data())));
    const snapshot = await read();
    const on = async (backend: string) => {
      await tf.setBackend(backend);
      model.allWeights().forEach((w, i) => w.write(tf.tensor(snapshot[i]!, w.shape as number[])));
      const grads = await gradients(model, batch, 0.5);
      // One optimizer step from the same weights.
      const optimizer = makeOptimizer(stepSpec.training);
      const metrics = new DeviceMetrics(model.resolved.map((h) => h.spec.name));
      trainStepOnDevice(model, optimizer, batch, 0.5, metrics);
      const result = await metrics.read();
      metrics.dispose();
      optimizer.dispose();
      return { grads, result, weights: await read() };
    };
    const cpu = await on('cpu');
    const gpu = await on('webgpu');
    const variables = model.trainableVariables();
    for (const v of variables) expect(maxRelError(gpu.grads.get(v)!, cpu.grads.get(v)!), v.name).toBeLessThan(1e-4);
    expect(Math.abs(gpu.result.total - cpu.result.total) / cpu.result.total).toBeLessThan(1e-4);
    expect(gpu.result.heads.level!.count).toBe(cpu.result.heads.level!.count);
    cpu.weights.forEach((w, i) => expect(maxRelError(gpu.weights[i]!, w), model.allWeights()[i]!.originalName).toBeLessThan(1e-4));
    disposeBatch(batch);
    model.dispose();
  });

  it('a short run converges on a synthetic task, with a flat tensor count', async () => {
    await tf.setBackend('webgpu');
    const converge = spec({ ...stepSpec, name: 'converge', training: { ...stepSpec.training, epochs: 3, batchSize: 16, reportEvery: 1 } });
    const model = new MultiHeadModel(converge, null);
    const counts: number[] = [];
    const events: TrainProgress[] = [];
    const outcome = await runTraining({
      model,
      train: withAdversary(trainData(synthetic(64, 41))),
      validation: withAdversary(trainData(synthetic(32, 42))),
      onProgress: (p) => {
        events.push(p);
        if (p.kind === 'step') counts.push(tf.memory().numTensors);
      },
    });
    expect(outcome.status).toBe('completed');
    expect(tf.getBackend()).toBe('webgpu');
    const epochs = events.filter((e) => e.kind === 'epoch');
    expect(epochs.at(-1)!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs.at(-1)!.validation!.heads.quad!.accuracy).toBeGreaterThan(0.5); // chance: 0.25
    // Within an epoch every step leaves the same number of tensors behind.
    expect(counts.length).toBe(12);
    for (const epoch of [0, 1, 2]) expect(new Set(counts.slice(epoch * 4 + 1, epoch * 4 + 4)).size, `epoch ${epoch}: ${counts}`).toBe(1);
    expect(counts[11]).toBe(counts[7]);
    model.dispose();
  });

  it('a checkpoint written on wasm resumes on webgpu: same evaluation, and training continues', async () => {
    const resume = spec({ ...stepSpec, name: 'across backends', training: { ...stepSpec.training, epochs: 2, batchSize: 16 } });
    const train = withAdversary(trainData(synthetic(32, 51)));
    const test = withAdversary(trainData(synthetic(24, 52)));
    await selectBackend('wasm');
    const first = new MultiHeadModel(resume, null);
    let calls = 0;
    const stopped = await runTraining({ model: first, train, checkpointDir: path.join(dir, 'x'), control: () => (++calls > 2 ? 'cancel' : 'run') });
    expect(stopped).toMatchObject({ status: 'cancelled', epoch: 1 });
    first.dispose();
    const checkpoint = path.join(dir, 'x', 'epoch-0001');

    const evaluateOn = async (backend: string) => {
      if (backend === 'wasm') await selectBackend('wasm');
      else await tf.setBackend(backend);
      const m = new MultiHeadModel(resume, null);
      await loadCheckpoint(checkpoint, m, null);
      const result = await evaluateLosses(m, test, 8);
      m.dispose();
      return result;
    };
    const onWasm = await evaluateOn('wasm');
    const onGpu = await evaluateOn('webgpu');
    expect(onGpu.heads.quad!.count).toBe(24);
    expect(Math.abs(onGpu.loss - onWasm.loss) / onWasm.loss).toBeLessThan(1e-4);
    for (const [name, h] of Object.entries(onWasm.heads)) {
      expect(Math.abs(onGpu.heads[name]!.loss - h.loss) / h.loss, name).toBeLessThan(1e-4);
      expect(onGpu.heads[name]!.accuracy, name).toBe(h.accuracy);
    }

    // The run itself resumes on webgpu from the wasm checkpoint (weights and Adam state).
    await tf.setBackend('webgpu');
    const resumed = new MultiHeadModel(resume, null);
    const outcome = await runTraining({ model: resumed, train, checkpointDir: path.join(dir, 'x'), resumeFrom: checkpoint });
    expect(outcome).toMatchObject({ status: 'completed', epoch: 2 });
    expect((await evaluateLosses(resumed, test, 8)).loss).toBeLessThan(onWasm.loss * 1.5);
    resumed.dispose();
  });
});
