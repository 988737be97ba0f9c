/**
 * Where an engine job (training, prediction, export, backend probe) executes. The same
 * worker script and typed messages run in a worker thread (plain Node, the default), in a
 * forked Node process, or in Electron's utilityProcess (electron/main/training-host.ts):
 * never on the thread that serves the UI, which never loads TensorFlow.js.
 */
import { fork } from 'node:child_process';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { trainingWorkerPath } from '../platform/paths.js';
import { heapAdvice, heapLimitFlags } from './heap-limit.js';
import type { FromWorker, ToWorker, WorkerJob } from './protocol.js';

export interface TrainingHost {
  postMessage(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called once when the host ends, for any reason. */
  onExit(listener: (why: string) => void): void;
  terminate(): Promise<void>;
}

/** Starts a worker for one job. */
export type SpawnHost = (job: WorkerJob) => TrainingHost;

/** Why a process host ended: an abort (V8's out-of-memory end) also names the heap limit and how to raise it. */
export function exitReason(job: WorkerJob, what: string, code: number | null, signal: string | null): string {
  const reason = `the ${what} exited (${signal ?? `code ${code}`})`;
  const aborted = signal === 'SIGABRT' || code === 134;
  return aborted && job.heapLimitMB ? `${reason}: ${heapAdvice(job.heapLimitMB, false)}` : reason;
}

export const threadHost: SpawnHost = (job) => {
  // SHARE_ENV: variables the worker sets reach native libraries (Dawn's EGL reads EGL_PLATFORM, webgpu.ts).
  const worker = new Worker(trainingWorkerPath, {
    workerData: job,
    env: SHARE_ENV,
    ...(job.heapLimitMB ? { resourceLimits: { maxOldGenerationSizeMb: job.heapLimitMB } } : {}),
  });
  return {
    postMessage: (m) => worker.postMessage(m),
    onMessage: (l) => void worker.on('message', l),
    onExit: (l) => {
      worker.on('error', (e) => {
        const outOfMemory = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        l(`the training worker failed: ${e.message}${outOfMemory && job.heapLimitMB ? `: ${heapAdvice(job.heapLimitMB, true)}` : ''}`);
      });
      worker.on('exit', (code) => l(`the training worker exited (code ${code})`));
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
};

/** A separate Node process (child_process.fork): the process-based path Electron's utilityProcess also takes. */
export const forkHost: SpawnHost = (job) => {
  // This process's own flags, and the job's heap limit (heap-limit.ts).
  const execArgv = [...process.execArgv, ...heapLimitFlags(job.heapLimitMB)];
  const child = fork(trainingWorkerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', execArgv });
  child.send({ type: 'start', job } satisfies ToWorker);
  return {
    postMessage: (m) => void child.send(m),
    onMessage: (l) => void child.on('message', (m) => l(m as FromWorker)),
    onExit: (l) => {
      child.on('error', (e) => l(`the training process failed: ${e.message}`));
      child.on('exit', (code, signal) => l(exitReason(job, 'training process', code, signal)));
    },
    terminate: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
};
