/**
 * Engine jobs in the desktop app (training, prediction, export, the backend probe) run in
 * an Electron utilityProcess: a separate process (a crash in libtensorflow cannot take the
 * window down) speaking the same typed messages as the worker thread used by plain Node
 * (electron/engine/host.ts) — or, for training on WebGPU, in the hidden training renderer
 * (renderer-host.ts). The main process never loads TensorFlow.js.
 */
import { utilityProcess } from 'electron';
import type { BackendChoice } from '../engine/backend.js';
import { heapLimitFlags } from '../engine/heap-limit.js';
import { exitReason, type SpawnHost } from '../engine/host.js';
import type { FromWorker, ToWorker } from '../engine/protocol.js';
import { trainingWorkerPath } from '../platform/paths.js';
import { rendererHost } from './renderer-host.js';

export const utilityHost: SpawnHost = (job) => {
  // The job's heap limit as a V8 flag (heap-limit.ts); Electron passes execArgv to the utility process's Node.
  const execArgv = heapLimitFlags(job.heapLimitMB);
  const child = utilityProcess.fork(trainingWorkerPath, [], { serviceName: 'Polyhead training', stdio: 'inherit', execArgv });
  let exited = false;
  child.once('exit', () => (exited = true));
  child.postMessage({ type: 'start', job } satisfies ToWorker);
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', (m: unknown) => l(m as FromWorker)),
    onExit: (l) => void child.once('exit', (code) => l(exitReason(job, 'training process', code, null))),
    terminate: async () => {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await done;
    },
  };
};

/** Whether the training renderer found a hardware WebGPU adapter (probeTrainingRenderer). */
let rendererHasGpu = false;

/** Asks the training renderer once which adapter Chromium offers; training goes there only on a hardware one. */
export async function probeTrainingRenderer(): Promise<BackendChoice | null> {
  const host = rendererHost({ kind: 'probe' });
  const choice = await new Promise<BackendChoice | null>((resolve) => {
    host.onMessage((m) => (m.type === 'backend' ? resolve(m.choice) : m.type === 'error' ? resolve(null) : undefined));
    host.onExit(() => resolve(null));
  });
  await host.terminate();
  rendererHasGpu = choice?.adapter?.software === false;
  return choice;
}

/**
 * The desktop app's host: training and the probe go to the hidden renderer (Chromium's WebGPU) when
 * it found a hardware adapter, or when webgpu is asked for; everything else, and training on
 * the other backends, to the utility process. The run's backend reason names the renderer.
 */
export const desktopHost: SpawnHost = (job) => {
  const asked = job.backend ?? process.env.POLYHEAD_BACKEND;
  const toRenderer = (job.kind === 'train' || job.kind === 'probe') && (asked === 'webgpu' || (asked === undefined && rendererHasGpu));
  return toRenderer ? rendererHost(job) : utilityHost(job);
};
