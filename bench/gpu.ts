/**
 * `npm run bench:gpu`: the bench:train house-number model (bench/train.ts) on every GPU path
 * present — tfjs-node-gpu (libtensorflow + CUDA) and WebGPU on a hardware adapter — and the same
 * model in PyTorch on the same machine (bench/gpu_peer.py: torch.cuda when available, else the
 * CPU), printing ms/step, images/s and the ratio to PyTorch per batch size. WebGPU runs twice:
 * with Polyhead's filter-gradient kernel (webgpu-kernels.ts) and with the package's own.
 *
 *   --batch 32,256     batch sizes (default 32, as bench:train)
 *   --steps N          timed steps after 3 warm-up steps (default 20; the median is reported)
 *   --profile          time Conv2DBackpropFilter alone per conv layer, Polyhead's against stock; and
 *                      GPU time per kernel of one step (tf.profile)
 *   --allow-software   also time WebGPU on a software adapter (llvmpipe, SwiftShader): the row
 *                      is marked SOFTWARE, and says nothing about a GPU
 *
 * A path that cannot start is listed with the reason. Results: bench/results/gpu.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { selectBackend, type BackendName } from '../electron/engine/backend.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { tf } from '../electron/engine/tf.js';
import { makeOptimizer } from '../electron/engine/train-step.js';
import { describeAdapter, startWebGpu } from '../electron/engine/webgpu.js';
import { useStockWebGpuFilterGradient } from '../electron/engine/webgpu-kernels.js';
import { repoRoot, runAsScript, writeResult } from './common.js';
import { median, timedInference, timedTrainStep } from './step.js';
import { benchSpec, randomBatch } from './train.js';

interface Row {
  path: string;
  device: string;
  batch: number;
  trainMsPerStep: number;
  inferMsPerBatch: number;
  imagesPerSecond: number;
  /** PyTorch's ms/step divided by ours: above 1, Polyhead is faster. */
  speedVsPyTorch: number | null;
  software: boolean;
}

interface Peer {
  device: string;
  torch: string;
  trainMsPerStep: number;
  inferMsPerBatch: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Starts a GPU path; returns what it runs on, or throws why not. */
async function start(name: BackendName, allowSoftware: boolean): Promise<{ device: string; software: boolean }> {
  if (name === 'webgpu') {
    // Refuses a software adapter unless allowed; selectBackend then reuses the adapter found.
    const adapter = await startWebGpu(allowSoftware);
    await selectBackend('webgpu');
    return { device: describeAdapter(adapter), software: adapter.software };
  }
  const choice = await selectBackend(name);
  return { device: choice.reason, software: false };
}

async function time(batchSize: number, steps: number): Promise<{ train: number; infer: number; loss: [number, number] }> {
  if (!benchSpec.ok) throw new Error(benchSpec.errors.join('\n'));
  const model = new MultiHeadModel(benchSpec.spec, null);
  const optimizer = makeOptimizer(benchSpec.spec.training);
  const batch = randomBatch(batchSize);
  const train: number[] = [];
  const loss: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const t0 = performance.now();
    loss.push(await timedTrainStep(model, optimizer, batch, 0.5));
    if (s >= 3) train.push(performance.now() - t0);
  }
  const infer: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const t0 = performance.now();
    await timedInference(model, batch);
    if (s >= 3) infer.push(performance.now() - t0);
  }
  tf.dispose(Object.values(batch.inputs));
  optimizer.dispose();
  model.dispose();
  return { train: median(train), infer: median(infer), loss: [loss[0]!, loss.at(-1)!] };
}

/** The first Python that imports torch: POLYHEAD_PYTHON, python3 on the PATH, Debian's. */
function python(): string | null {
  for (const candidate of [process.env.POLYHEAD_PYTHON, 'python3', '/usr/bin/python3']) {
    if (candidate && spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

/**
 * Where the time of the filter gradient goes: one Conv2DBackpropFilter per conv layer of the
 * model (its shapes at this batch), Polyhead's kernel against the package's own.
 */
async function profileFilterGradient(batchSize: number, reps: number): Promise<{ layer: string; polyheadMs: number; stockMs: number }[]> {
  const layers = [
    { h: 64, ci: 1, co: 32 },
    { h: 32, ci: 32, co: 64 },
    { h: 16, ci: 64, co: 128 },
  ];
  const out = [];
  for (const l of layers) {
    const x = tf.randomNormal([batchSize, l.h, l.h, l.ci]) as tf.Tensor4D;
    const dy = tf.randomNormal([batchSize, l.h, l.h, l.co]) as tf.Tensor4D;
    const timeIt = async () => {
      const times: number[] = [];
      for (let r = 0; r < reps + 2; r++) {
        const t0 = performance.now();
        const dw = tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, l.ci, l.co] }) as tf.Tensor;
        await dw.data();
        dw.dispose();
        if (r >= 2) times.push(performance.now() - t0);
      }
      return median(times);
    };
    const polyheadMs = await timeIt();
    useStockWebGpuFilterGradient(true);
    const stockMs = await timeIt();
    useStockWebGpuFilterGradient(false);
    tf.dispose([x, dy]);
    out.push({ layer: `${batchSize}x${l.h}x${l.h}x${l.ci} → 3x3x${l.ci}x${l.co}`, polyheadMs, stockMs });
  }
  return out;
}

/**
 * GPU time per kernel of one training step (tf.profile; WebGPU timestamp queries where the
 * adapter has them), summed by kernel name, against the step's wall time: what the GPU does,
 * and how much of a step is spent outside it (dispatch from JavaScript, reads).
 */
async function kernelTimes(batchSize: number): Promise<{ wallMs: number; gpuMs: number; kernels: number; top: { name: string; ms: number; count: number }[] }> {
  if (!benchSpec.ok) throw new Error(benchSpec.errors.join('\n'));
  const model = new MultiHeadModel(benchSpec.spec, null);
  const optimizer = makeOptimizer(benchSpec.spec.training);
  const batch = randomBatch(batchSize);
  for (let s = 0; s < 3; s++) await timedTrainStep(model, optimizer, batch, 0.5);
  const t0 = performance.now();
  const info = await tf.profile(() => timedTrainStep(model, optimizer, batch, 0.5) as unknown as tf.TensorContainer);
  const wallMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; count: number }>();
  let gpuMs = 0;
  // Kernels only: tf.profile also lists op scopes (fusedConv2d__op…) around the kernels they time.
  for (const k of info.kernels.filter((kernel) => tf.getKernel(kernel.name, 'webgpu') !== undefined)) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    gpuMs += ms;
    const e = byName.get(k.name) ?? { ms: 0, count: 0 };
    e.ms += ms;
    e.count++;
    byName.set(k.name, e);
  }
  tf.dispose(Object.values(batch.inputs));
  optimizer.dispose();
  model.dispose();
  const top = [...byName]
    .map(([name, e]) => ({ name, ...e }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 12);
  return { wallMs, gpuMs, kernels: info.kernels.length, top };
}

function runPeer(batchSize: number, steps: number): Peer | { error: string } {
  const py = python();
  if (!py) return { error: 'no Python with torch (python3-torch on Debian; POLYHEAD_PYTHON names another)' };
  try {
    const out = execFileSync(py, [path.join(repoRoot, 'bench', 'gpu_peer.py'), String(batchSize), String(steps), String(os.availableParallelism())], {
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Peer;
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  }
}

async function main(): Promise<void> {
  const batches = (option('--batch') ?? '32').split(',').map(Number);
  const steps = Number(option('--steps') ?? 20);
  const allowSoftware = process.argv.includes('--allow-software');
  const rows: Row[] = [];
  const skipped: string[] = [];
  const peers: Record<number, Peer | { error: string }> = {};
  const profile: { layer: string; polyheadMs: number; stockMs: number }[] = [];
  const kernels: Record<number, Awaited<ReturnType<typeof kernelTimes>>> = {};
  if (!process.argv.includes('--no-peer')) for (const b of batches) peers[b] = runPeer(b, steps);
  // --flag NAME=VALUE: a TensorFlow.js flag for the GPU paths (e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64).
  const flags = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--flag' ? [a.split('=') as [string, string]] : []));
  for (const name of ['tensorflow-gpu', 'webgpu'] as const) {
    let started: { device: string; software: boolean };
    try {
      started = await start(name, allowSoftware);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const [flag, value] of flags) tf.env().set(flag, Number(value));
    const variants = name === 'webgpu' && !process.argv.includes('--no-stock') ? [name, 'webgpu, stock dW'] : [name];
    for (const variant of variants)
      for (const b of batches) {
        useStockWebGpuFilterGradient(variant === 'webgpu, stock dW');
        const t = await time(b, steps);
        const peer = peers[b] ?? { error: 'not run (--no-peer)' };
        console.log(
          `${variant} batch ${b}: ${t.train.toFixed(1)} ms/step, ${t.infer.toFixed(1)} ms/infer, loss ${t.loss[0].toFixed(3)} → ${t.loss[1].toFixed(3)}`,
        );
        rows.push({
          path: variant,
          device: started.device,
          batch: b,
          trainMsPerStep: t.train,
          inferMsPerBatch: t.infer,
          imagesPerSecond: (b * 1000) / t.train,
          speedVsPyTorch: 'error' in peer ? null : peer.trainMsPerStep / t.train,
          software: started.software,
        });
      }
    useStockWebGpuFilterGradient(false);
    if (name === 'webgpu' && process.argv.includes('--profile')) {
      for (const b of batches) for (const p of await profileFilterGradient(b, 10)) profile.push(p);
      for (const b of batches) kernels[b] = await kernelTimes(b);
    }
  }
  const f = (n: number) => n.toFixed(1).padStart(10);
  console.log(`\nmodel: bench:train's house-number model, 64x64x1, Adam; median of ${steps} steps after 3 warm-up; ${os.availableParallelism()} cores\n`);
  console.log(
    'path'.padEnd(30) + 'batch'.padStart(6) + 'ms/step'.padStart(10) + 'images/s'.padStart(10) + 'ms/infer'.padStart(10) + '   PyTorch ms/step ÷ ours',
  );
  for (const r of rows) {
    const ratio = r.speedVsPyTorch === null ? 'no peer' : `${r.speedVsPyTorch.toFixed(2)}x ${r.speedVsPyTorch >= 1 ? '(faster)' : '(slower)'}`;
    console.log(
      (r.software ? `${r.path} (SOFTWARE)` : r.path).padEnd(30) +
        String(r.batch).padStart(6) +
        f(r.trainMsPerStep) +
        f(r.imagesPerSecond) +
        f(r.inferMsPerBatch) +
        `   ${ratio}`,
    );
  }
  for (const b of batches) {
    const p = peers[b];
    if (!p) continue;
    if ('error' in p) console.log(`pytorch batch ${b}: ${p.error}`);
    else
      console.log(
        `pytorch ${p.device}`.slice(0, 30).padEnd(30) +
          String(b).padStart(6) +
          f(p.trainMsPerStep) +
          f((b * 1000) / p.trainMsPerStep) +
          f(p.inferMsPerBatch) +
          '   1.00x',
      );
  }
  if (profile.length > 0) console.log('\nConv2DBackpropFilter on webgpu (ms, median of 10): layer, Polyhead, stock');
  for (const p of profile) console.log(`  ${p.layer.padEnd(34)}${f(p.polyheadMs)}${f(p.stockMs)}`);
  for (const [b, k] of Object.entries(kernels)) {
    console.log(
      `\none webgpu step at batch ${b} under tf.profile: ${k.wallMs.toFixed(1)} ms wall, ${k.gpuMs.toFixed(1)} ms summed kernel time, ${k.kernels} kernels`,
    );
    for (const t of k.top) console.log(`  ${t.name.padEnd(28)}${f(t.ms)} ms  x${t.count}`);
  }
  if (rows.length === 0) console.log('\nno GPU path started: nothing measured on a GPU');
  for (const s of skipped) console.log(`not measured: ${s}`);
  for (const r of rows.filter((row, i) => rows.findIndex((o) => o.path === row.path) === i)) console.log(`${r.path}: ${r.device}`);
  for (const p of Object.values(peers)) if (!('error' in p)) console.log(`pytorch: torch ${p.torch} on ${p.device}`);
  await writeResult('gpu', { steps, flags, rows, peers, profile, kernels, skipped, cores: os.availableParallelism() });
}

runAsScript('gpu', main);
