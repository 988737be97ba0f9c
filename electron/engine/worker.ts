/**
 * A training run in a worker thread: picks the backend, reads and decodes the data, trains
 * (pause/resume/cancel by message), checkpoints each epoch, evaluates on the test split and
 * reports everything as typed messages. It never writes to the database; its owner does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Project } from '../domain/project.js';
import { selectBackend } from './backend.js';
import { buildExamples, decodeImages, readLabels, splitExamples, toTrainData, type Example } from './data.js';
import { evaluate } from './evaluation.js';
import { MultiHeadModel } from './model.js';
import type { FromWorker, ToWorker, WorkerStart } from './protocol.js';
import { runTraining, type ControlSignal } from './trainer.js';

/** Electron's utilityProcess exposes process.parentPort; its messages arrive as { data }. */
type ElectronParentPort = { on(event: 'message', listener: (e: { data: unknown }) => void): void; postMessage(message: unknown): void };

interface Channel {
  start: Promise<WorkerStart>;
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
    return { start: Promise.resolve(workerData as WorkerStart), post: (m) => port.postMessage(m) };
  }
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  let resolveStart!: (start: WorkerStart) => void;
  const start = new Promise<WorkerStart>((resolve) => (resolveStart = resolve));
  const receive = (message: ToWorker) => (message.type === 'start' ? resolveStart(message.start) : control(message));
  if (electronPort) {
    electronPort.on('message', (e) => receive(e.data as ToWorker));
    return { start, post: (m) => electronPort.postMessage(m) };
  }
  if (process.send) {
    process.on('message', (m) => receive(m as ToWorker));
    return { start, post: (m) => void process.send!(m) };
  }
  throw new Error('the training worker must run in a worker thread, a utility process or a forked process');
}

const io = channel();
const post = io.post;

async function main(): Promise<void> {
  const start = await io.start;
  const choice = await selectBackend(start.backend);
  post({ type: 'backend', choice });
  const project = Project.open(start.dataDir);
  try {
    const { spec } = start;
    const shapes = new Set(spec.inputs.map((i) => `${i.height}x${i.width}x${i.channels}`));
    if (shapes.size > 1) throw new Error('inputs of different sizes are not supported by the data pipeline yet: give every input the same height, width and channels');
    const model = new MultiHeadModel(spec, project.store.targets.list());
    const labels = readLabels(project);
    const toExamples = (ids: number[][]): Example[] => ids.map((imageIds) => ({ imageIds }));
    let split;
    if (start.split) {
      split = { train: toExamples(start.split.train), validation: toExamples(start.split.validation), test: toExamples(start.split.test) };
    } else {
      split = splitExamples(spec, model.resolved, buildExamples(spec, model.resolved, labels), labels);
      const ids = (e: Example[]) => e.map((x) => x.imageIds);
      post({
        type: 'split',
        split: { train: ids(split.train), validation: ids(split.validation), test: ids(split.test) },
        counts: { train: split.train.length, validation: split.validation.length, test: split.test.length },
      });
    }
    if (split.train.length === 0) throw new Error('no labelled examples to train on: label some images for the spec\'s heads first');
    const all = [...split.train, ...split.validation, ...split.test].flatMap((e) => e.imageIds);
    const decoded = await decodeImages(project, all, spec.inputs[0]!);
    const data = (examples: Example[], seed: number) => toTrainData(spec, model.resolved, examples, decoded, labels, seed);
    const outcome = await runTraining({
      model,
      train: data(split.train, spec.training.seed),
      validation: data(split.validation, 0),
      checkpointDir: start.checkpointDir,
      resumeFrom: start.resumeFrom,
      onProgress: (progress) => post({ type: 'progress', progress }),
      onCheckpoint: (dir, epoch, step) => post({ type: 'checkpoint', dir, epoch, step }),
      control: () => signal,
    });
    if (outcome.status === 'completed' && split.test.length > 0) {
      const evaluation = evaluate(model, data(split.test, 0), (i) => split.test[i]!.imageIds[0]!, project.store.targets.list());
      post({ type: 'evaluation', evaluation });
    }
    model.dispose();
    post({ type: 'done', outcome });
  } finally {
    project.close();
  }
}

main().then(
  () => {
    // A process host has nothing left to do; a thread is ended by its owner.
    if (!parentPort) setTimeout(() => process.exit(0), 50);
  },
  (error: unknown) => {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    if (!parentPort) setTimeout(() => process.exit(1), 50);
  },
);
