/**
 * A training job, inside the engine's worker: reads and decodes the data, trains
 * (pause/resume/cancel by the control signal), checkpoints each epoch, evaluates on the
 * test split and reports everything as typed messages. It never writes to the database;
 * its owner (engine/runs.ts) does.
 */
import { Project } from '../domain/project.js';
import { buildExamples, decodeImages, readLabels, toTrainData, type Example } from './data.js';
import { splitRun } from './split.js';
import { evaluate } from './evaluation.js';
import { MultiHeadModel } from './model.js';
import type { FromWorker, TrainJob } from './protocol.js';
import { BestEpoch } from './best-epoch.js';
import { runTraining, type ControlSignal, type TrainOutcome } from './trainer.js';
import { runWarnings } from './warnings.js';

export async function trainJob(job: TrainJob, post: (message: FromWorker) => void, control: () => ControlSignal): Promise<TrainOutcome> {
  const project = Project.open(job.dataDir);
  try {
    const { spec } = job;
    const shapes = new Set(spec.inputs.map((i) => `${i.height}x${i.width}x${i.channels}`));
    if (shapes.size > 1)
      throw new Error('inputs of different sizes are not supported by the data pipeline yet: give every input the same height, width and channels');
    const model = new MultiHeadModel(spec, job.targets);
    const labels = readLabels(project);
    const toExamples = (ids: number[][]): Example[] => ids.map((imageIds) => ({ imageIds }));
    let split;
    let description = job.split?.description;
    if (job.split) {
      split = { train: toExamples(job.split.train), validation: toExamples(job.split.validation), test: toExamples(job.split.test) };
    } else {
      const made = splitRun(spec, model.resolved, buildExamples(spec, model.resolved, labels), labels, project.store.images.sources());
      split = made.split;
      description = made.description;
      const ids = (e: Example[]) => e.map((x) => x.imageIds);
      post({
        type: 'split',
        split: { train: ids(split.train), validation: ids(split.validation), test: ids(split.test), description },
        counts: { train: split.train.length, validation: split.validation.length, test: split.test.length },
      });
    }
    if (split.train.length === 0) throw new Error("no labelled examples to train on: label some images for the spec's heads first");
    const all = [...split.train, ...split.validation, ...split.test].flatMap((e) => e.imageIds);
    const decoded = await decodeImages(project, all, spec.inputs[0]!);
    const data = (examples: Example[], seed: number) => toTrainData(spec, model.resolved, examples, decoded, labels, seed);
    // After a resume, the choice is among the epochs trained in this job (earlier ones' records are in the store).
    const best = new BestEpoch();
    const outcome = await runTraining({
      model,
      train: data(split.train, spec.training.seed),
      validation: data(split.validation, 0),
      checkpointDir: job.checkpointDir,
      resumeFrom: job.resumeFrom,
      onProgress: (progress) => {
        best.progress(progress);
        post({ type: 'progress', progress });
      },
      onCheckpoint: (dir, epoch, step) => {
        best.checkpoint(dir, epoch);
        post({ type: 'checkpoint', dir, epoch, step });
      },
      control,
    });
    if (outcome.status === 'completed' && split.test.length > 0) {
      // The model evaluated (and used later) is the one that did best on validation, not merely the last.
      const chosen = await best.restore(model, outcome.epoch);
      const evaluation = evaluate(model, data(split.test, 0), (i) => split.test[i]!.imageIds[0]!, job.targets);
      const warnings = runWarnings({
        heads: evaluation.heads,
        resolved: model.resolved,
        train: chosen.train,
        validation: chosen.validation,
        runTargets: job.targets,
        projectTargets: project.store.targets.list(),
        split: description,
      });
      const report = { ...evaluation, epoch: chosen.epoch, selectedBy: chosen.selectedBy, warnings, ...(description ? { split: description } : {}) };
      post({ type: 'evaluation', evaluation: report });
    }
    model.dispose();
    return outcome;
  } finally {
    project.close();
  }
}
