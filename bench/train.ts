/**
 * `npm run bench:train`: ms per training step and images/s of the house-number model
 * (conv 32/64/128 + dense 256, a length head, 5 digit heads masked by length, a font head
 * behind gradient reversal λ=0.05; batch 32, 64x64x1, Adam) on every TensorFlow.js backend
 * present (webgpu: on the adapter Dawn offers, forced: here a software one, and the row says so),
 * and the same model and batch in PyTorch CPU (../shared/bench/peer_torch_multihead.py,
 * Debian python3-torch, installed if missing) in the same run, as a ratio.
 * The pure-JS cpu backend takes minutes per step: only with --with-cpu (one step).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseModelSpec } from '../shared/model-spec.js';
import { BACKEND_ORDER, selectBackend, type BackendName } from '../electron/engine/backend.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { tf } from '../electron/engine/tf.js';
import { makeOptimizer, type Batch } from '../electron/engine/train-step.js';
import { repoRoot, runAsScript, writeResult } from './common.js';
import { median, timedInference, timedTrainStep } from './step.js';

const peerScript = path.resolve(repoRoot, '..', 'shared', 'bench', 'peer_torch_multihead.py');
const B = 32;

export const benchSpec = parseModelSpec({
  name: 'bench: house numbers (peer model)',
  inputs: [{ name: 'x', height: 64, width: 64 }],
  trunk: { preset: 'conv', depth: 3, width: 32, growth: 2, batchNorm: false, dense: 256 },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' }, classes: ['0', '1', '2', '3', '4', '5', '>5'] },
    ...[0, 1, 2, 3, 4].map((i) => ({ name: `d${i}`, target: { kind: 'position' as const, target: 'digits', position: i }, classes: [...'0123456789'] })),
    { name: 'font', target: { kind: 'target', target: 'font_style' }, classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], adversarial: { lambda: 0.05 } },
  ],
  training: { batchSize: B, learningRate: 1e-3, seed: 1 },
});

export interface BackendTiming {
  backend: BackendName;
  reason: string;
  params: number;
  trainMsPerStep: number;
  inferMsPerBatch: number;
  steps: number;
  /** webgpu on a software adapter (CPU emulation): says nothing about a GPU. */
  software: boolean;
}

/** A random batch with the peer's label layout: digit heads masked beyond the length. */
export function randomBatch(size = B): Batch {
  const r = () => Math.random();
  const length = Int32Array.from({ length: size }, () => Math.floor(r() * 6));
  const labels: Batch['labels'] = { length: { index: length, mask: new Float32Array(size).fill(1) } };
  for (let i = 0; i < 5; i++) {
    labels[`d${i}`] = { index: Int32Array.from({ length: size }, () => Math.floor(r() * 10)), mask: Float32Array.from(length, (l) => (l > i ? 1 : 0)) };
  }
  labels.font = { index: Int32Array.from({ length: size }, () => Math.floor(r() * 8)), mask: new Float32Array(size).fill(1) };
  return { inputs: { x: tf.randomNormal([size, 64, 64, 1]) as tf.Tensor4D }, labels };
}

export async function timeBackend(name: BackendName, steps: number, warmup: number): Promise<BackendTiming> {
  if (!benchSpec.ok) throw new Error(benchSpec.errors.join('\n'));
  const choice = await selectBackend(name);
  if (choice.adapter?.software) {
    // A software WebGPU adapter takes tens of seconds per step: fewer steps (the row says SOFTWARE).
    steps = Math.min(steps, 2);
    warmup = Math.min(warmup, 1);
  }
  const model = new MultiHeadModel(benchSpec.spec, null);
  const optimizer = makeOptimizer(benchSpec.spec.training);
  const batch = randomBatch();
  const train: number[] = [];
  for (let s = 0; s < steps + warmup; s++) {
    const t0 = performance.now();
    await timedTrainStep(model, optimizer, batch, 0.5);
    if (s >= warmup) train.push(performance.now() - t0);
  }
  const infer: number[] = [];
  for (let s = 0; s < steps + warmup; s++) {
    const t0 = performance.now();
    await timedInference(model, batch);
    if (s >= warmup) infer.push(performance.now() - t0);
  }
  const params = model.trainableVariables().reduce((n, v) => n + v.size, 0);
  tf.dispose(Object.values(batch.inputs));
  optimizer.dispose();
  model.dispose();
  return {
    backend: choice.name,
    reason: choice.reason,
    params,
    trainMsPerStep: median(train),
    inferMsPerBatch: median(infer),
    steps,
    software: choice.adapter?.software === true,
  };
}

function runPeer(threads: number): { train: number; infer: number; line: string } | { error: string } {
  if (!existsSync(peerScript)) return { error: `the peer script ${peerScript} is missing` };
  const python = '/usr/bin/python3';
  const hasTorch = () => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!hasTorch()) {
    console.log('installing Debian python3-torch for the PyTorch peer…');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'python3-torch'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (!hasTorch()) return { error: 'python3-torch could not be installed' };
  }
  const out = execFileSync(python, [peerScript, String(threads)], { encoding: 'utf8' });
  const train = /TRAIN torch: median ([\d.]+) ms\/step/.exec(out);
  const infer = /INFER torch: median ([\d.]+) ms\/batch/.exec(out);
  if (!train || !infer) return { error: `unexpected peer output:\n${out}` };
  return { train: Number(train[1]), infer: Number(infer[1]), line: out.split('\n')[0]! };
}

async function main(): Promise<void> {
  const withCpu = process.argv.includes('--with-cpu');
  const steps = 10;
  const results: BackendTiming[] = [];
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    if (name === 'cpu' && !withCpu) {
      skipped.push('cpu: skipped (minutes per step; --with-cpu runs it)');
      continue;
    }
    try {
      results.push(await timeBackend(name, name === 'cpu' ? 1 : steps, name === 'cpu' ? 0 : 3));
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const threads = Math.min(2, os.availableParallelism());
  const peer = runPeer(threads);
  const f = (n: number) => n.toFixed(1).padStart(10);
  console.log(`\nbatch ${B}, 64x64x1, ${results[0]?.params ?? '?'} parameters, median of ${steps} steps after 3 warm-up, ${os.availableParallelism()} cores\n`);
  console.log('backend'.padEnd(22) + 'ms/step'.padStart(10) + 'images/s'.padStart(10) + 'ms/infer'.padStart(10) + '   vs PyTorch (train, infer)');
  for (const r of results) {
    const ratio = 'train' in peer ? `${(r.trainMsPerStep / peer.train).toFixed(2)}x, ${(r.inferMsPerBatch / peer.infer).toFixed(2)}x slower` : '';
    console.log(
      (r.software ? `${r.backend} (SOFTWARE)` : r.backend).padEnd(22) +
        f(r.trainMsPerStep) +
        f((B * 1000) / r.trainMsPerStep) +
        f(r.inferMsPerBatch) +
        '   ' +
        ratio,
    );
  }
  if ('train' in peer) console.log(`pytorch cpu (${threads} thr)`.padEnd(22) + f(peer.train) + f((B * 1000) / peer.train) + f(peer.infer) + '   1.00x');
  else console.log(`pytorch: ${peer.error}`);
  for (const s of skipped) console.log(`skipped ${s}`);
  for (const r of results) console.log(`\n${r.backend}: ${r.reason}`);
  await writeResult('train', { batch: B, results, peer, skipped });
}

runAsScript('train', main);
