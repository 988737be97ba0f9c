/**
 * A training host whose compute side is at the far end of a port (Electron's hidden training
 * renderer, electron/main/renderer-host.ts; a test's browser page): the job's data side runs
 * here, in the owner's process, and the owner sees the same TrainingHost as with any other
 * host. A probe needs no data side: its start goes to the compute side and its reports come
 * back as they are. What carries the port is the caller's: only that differs between Electron
 * and the tests.
 */
import type { TrainingHost } from '../host.js';
import type { FromWorker, WorkerJob } from '../protocol.js';
import { runDataSide, type DataSide } from './data-side.js';
import { isFromCompute, type SidePort, type ToCompute } from './protocol.js';

export interface PortHost extends TrainingHost {
  /** The transport ended (the page crashed or was closed): the owner hears it once. */
  ended(why: string): void;
}

/** `stop` ends the compute side's home (closes the page). */
export function portHost(job: WorkerJob, port: SidePort, stop: () => Promise<void> | void): PortHost {
  const listeners: ((message: FromWorker) => void)[] = [];
  const exits: ((why: string) => void)[] = [];
  const emit = (message: FromWorker) => {
    for (const l of listeners) l(message);
  };
  let side: DataSide | null = null;
  if (job.kind === 'train') {
    side = runDataSide(job, port, emit);
  } else {
    port.listen((message) => {
      if (isFromCompute(message) && ['backend', 'done', 'error'].includes(message.type)) emit(message as FromWorker);
    });
    port.post({ type: 'start', job } satisfies ToCompute);
  }
  let over = false;
  const ended = (why: string) => {
    if (over) return;
    over = true;
    side?.close();
    for (const l of exits) l(why);
  };
  return {
    postMessage: (message) => (side ? side.control(message) : port.post(message)),
    onMessage: (l) => void listeners.push(l),
    onExit: (l) => void exits.push(l),
    ended,
    terminate: async () => {
      side?.close();
      await stop();
      ended('the training host was terminated');
    },
  };
}
