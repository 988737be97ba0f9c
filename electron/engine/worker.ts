/**
 * The engine's worker: runs one job (train, predict, export, probe) in a worker thread, an
 * Electron utility process or a forked Node process. Every job starts the backend and says
 * which; the job then reports as typed messages and ends with done or error. It never writes
 * to the database; its owner does (engine/runs.ts, engine/jobs.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Project } from '../domain/project.js';
import { selectBackend } from './backend.js';
import { exportRunModel } from './export.js';
import { predictLabels } from './predict.js';
import type { FromWorker, JobResult, ToWorker, WorkerJob } from './protocol.js';
import { trainJob } from './train-job.js';
import type { ControlSignal } from './trainer.js';

/** Electron's utilityProcess exposes process.parentPort; its messages arrive as { data }. */
type ElectronParentPort = { on(event: 'message', listener: (e: { data: unknown }) => void): void; postMessage(message: unknown): void };

interface Channel {
  job: Promise<WorkerJob>;
  post(message: FromWorker): void;
}

let signal: ControlSignal = 'run';
const control = (message: ToWorker) => {
  if (message.type !== 'start') signal = message.type === 'pause' ? 'pause' : message.type === 'cancel' ? 'cancel' : 'run';
};

/** The same script runs in a worker thread, an Electron utility process or a forked Node process. */
function channel(): Channel {
  if (parentPort) {
    parentPort.on('message', control);
    const port = parentPort;
    return { job: Promise.resolve(workerData as WorkerJob), post: (m) => port.postMessage(m) };
  }
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  let resolveJob!: (job: WorkerJob) => void;
  const job = new Promise<WorkerJob>((resolve) => (resolveJob = resolve));
  const receive = (message: ToWorker) => (message.type === 'start' ? resolveJob(message.job) : control(message));
  if (electronPort) {
    electronPort.on('message', (e) => receive(e.data as ToWorker));
    return { job, post: (m) => electronPort.postMessage(m) };
  }
  if (process.send) {
    process.on('message', (m) => receive(m as ToWorker));
    return { job, post: (m) => void process.send!(m) };
  }
  throw new Error('the engine worker must run in a worker thread, a utility process or a forked process');
}

const io = channel();
const post = io.post;

/** Runs a job that reads the project, and closes it whatever happens. */
async function withProject<T>(dataDir: string, fn: (project: Project) => Promise<T>): Promise<T> {
  const project = Project.open(dataDir);
  try {
    return await fn(project);
  } finally {
    project.close();
  }
}

async function run(job: WorkerJob): Promise<JobResult> {
  const choice = await selectBackend(job.backend);
  post({ type: 'backend', choice });
  switch (job.kind) {
    case 'probe':
      return { kind: 'probe', choice };
    case 'train':
      return { kind: 'train', outcome: await trainJob(job, post, () => signal) };
    case 'predict':
      return withProject(job.dataDir, async (project) => {
        const { images, missingClasses } = await predictLabels(project, job.runId, {
          all: job.all,
          batchSize: job.batchSize,
          onBatch: (labels, done, total) => post({ type: 'predictions', labels, done, total }),
        });
        return { kind: 'predict', images, missingClasses };
      });
    case 'export':
      return withProject(job.dataDir, async (project) => ({ kind: 'export', result: await exportRunModel(project, job.runId, job.outDir) }));
  }
}

io.job.then(run).then(
  (result) => {
    post({ type: 'done', result });
    // A process host has nothing left to do; a thread is ended by its owner.
    if (!parentPort) setTimeout(() => process.exit(0), 50);
  },
  (error: unknown) => {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    if (!parentPort) setTimeout(() => process.exit(1), 50);
  },
);
