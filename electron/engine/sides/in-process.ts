/**
 * Both sides of a training job in one Node thread (the worker thread, a forked process or
 * Electron's utilityProcess), joined by a worker_threads MessageChannel: the same messages,
 * cloned and transferred as they are to the training renderer, so every host runs one path.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { FromWorker, TrainJob } from '../protocol.js';
import { serveCompute, type SelectBackend } from './compute-side.js';
import { runDataSide, type DataSide } from './data-side.js';
import type { SidePort } from './protocol.js';

/** A worker_threads port as a SidePort. */
export function nodePort(port: MessagePort): SidePort {
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    listen: (listener) => void port.on('message', listener),
    close: () => port.close(),
  };
}

export function trainInProcess(job: TrainJob, selectBackend: SelectBackend, report: (message: FromWorker) => void): DataSide {
  const { port1, port2 } = new MessageChannel();
  serveCompute(nodePort(port2), selectBackend, 'the worker');
  const side = runDataSide(job, nodePort(port1), report);
  return {
    control: side.control,
    close: () => {
      side.close();
      port2.close();
    },
  };
}
