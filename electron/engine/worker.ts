/**
 * A training run in a worker thread: picks the backend, reads and decodes the data, trains
 * (pause/resume/cancel by message), checkpoints each epoch, evaluates on the test split and
 * reports everything as typed messages. It never writes to the database; its owner does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Project } from '../project.js';
import { selectBackend } from './backend.js';
import { buildExamples, decodeImages, readLabels, splitExamples, toTrainData, type Example } from './data.js';
import { evaluate } from './evaluation.js';
import { MultiHeadModel } from './model.js';
import type { FromWorker, ToWorker, WorkerStart } from './protocol.js';
import { runTraining, type ControlSignal } from './trainer.js';

const port = parentPort!;
const start = workerData as WorkerStart;
const post = (message: FromWorker) => port.postMessage(message);
let signal: ControlSignal = 'run';
port.on('message', (message: ToWorker) => {
  signal = message.type === 'pause' ? 'pause' : message.type === 'cancel' ? 'cancel' : 'run';
});

async function main(): Promise<void> {
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

main().catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
