/**
 * Engine jobs in the desktop app (training, prediction, export, the backend probe) run in
 * an Electron utilityProcess: a separate process (a crash in libtensorflow cannot take the
 * window down) speaking the same typed messages as the worker thread used by plain Node
 * (electron/engine/host.ts). The main process never loads TensorFlow.js.
 */
import { utilityProcess } from 'electron';
import type { SpawnHost } from '../engine/host.js';
import type { FromWorker, ToWorker } from '../engine/protocol.js';
import { trainingWorkerPath } from '../platform/paths.js';

export const utilityHost: SpawnHost = (job) => {
  const child = utilityProcess.fork(trainingWorkerPath, [], { serviceName: 'Polyhead training', stdio: 'inherit' });
  let exited = false;
  child.once('exit', () => (exited = true));
  child.postMessage({ type: 'start', job } satisfies ToWorker);
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', (m: unknown) => l(m as FromWorker)),
    onExit: (l) => void child.once('exit', (code) => l(`the training process exited (code ${code})`)),
    terminate: async () => {
      if (exited) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await done;
    },
  };
};
