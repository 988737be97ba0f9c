/**
 * The engine's worker: runs one job (train, predict, export, probe) in a worker thread, an
 * Electron utility process or a forked Node process. Every job starts the backend and says
 * which; the job then reports as typed messages and ends with done or error. Training runs as
 * its two sides (sides/: data and compute) joined by a channel in this thread, as the Electron
 * training renderer runs them across a port. It never writes to the database; its owner does
 * (engine/runs.ts, engine/jobs.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Project } from '../domain/project.js';
import { selectBackend } from './backend.js';
import { exportRunModel } from './export.js';
import { predictLabels } from './predict.js';
import type { FromWorker, JobResult, ToWorker, TrainJob, WorkerJob } from './protocol.js';
import { trainInProcess } from './sides/in-process.js';

/** Electron's utilityProcess exposes process.parentPort; its messages arrive as { data }. */
type ElectronParentPort = { on(event: 'message', listener: (e: { data: unknown }) => void): void; postMessage(message: unknown): void };

interface Channel {
  job: Promise<WorkerJob>;
  post(message: FromWorker): void;
}

/** The owner's pause, resume and cancel go to the training job's sides (sides/in-process.ts). */
let control: (message: ToWorker) => void = () => {};
const onControl = (message: ToWorker) => {
  if (message.type !== 'start') control(message);
};

/** The same script runs in a worker thread, an Electron utility process or a forked Node process. */
function channel(): Channel {
  if (parentPort) {
    parentPort.on('message', onControl);
    const port = parentPort;
    return { job: Promise.resolve(workerData as WorkerJob), post: (m) => port.postMessage(m) };
  }
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  let resolveJob!: (job: WorkerJob) => void;
  const job = new Promise<WorkerJob>((resolve) => (resolveJob = resolve));
  const receive = (message: ToWorker) => (message.type === 'start' ? resolveJob(message.job) : onControl(message));
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

/** Training: the data side and the compute side, over a channel in this thread; they report done or error themselves. */
function train(job: TrainJob): Promise<FromWorker> {
  return new Promise((resolve) => {
    const side = trainInProcess(job, selectBackend, (message) => {
      if (message.type === 'done' || message.type === 'error') resolve(message);
      else post(message);
    });
    control = side.control;
  });
}

async function run(job: Exclude<WorkerJob, TrainJob>): Promise<JobResult> {
  const choice = await selectBackend(job.backend);
  post({ type: 'backend', choice });
  switch (job.kind) {
    case 'probe':
      return { kind: 'probe', choice };
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

const outcome = (job: WorkerJob): Promise<FromWorker> =>
  job.kind === 'train'
    ? train(job)
    : run(job).then(
        (result): FromWorker => ({ type: 'done', result }),
        (error: unknown): FromWorker => ({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );

void io.job.then(outcome).then((last) => {
  post(last);
  // A process host has nothing left to do; a thread is ended by its owner.
  if (!parentPort) setTimeout(() => process.exit(last.type === 'done' ? 0 : 1), 50);
});
