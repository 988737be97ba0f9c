/**
 * A training job, inside the engine's worker: reads the labels and splits them, streams the
 * images through the data pipeline (pipeline/: decoded in the background into a pixel cache
 * under the run's folder, training from the first decoded batch), trains
 * (pause/resume/cancel by the control signal), checkpoints each epoch, evaluates on the
 * test split and reports everything as typed messages. It never writes to the database;
 * its owner (engine/runs.ts) does.
 */
import { Project } from '../domain/project.js';
import path from 'node:path';
import { buildExamples, readLabels, type Example } from './data.js';
import { SourceTable } from './image-sources.js';
import { labelTargets } from './labels.js';
import { DataPipeline } from './pipeline/pipeline.js';
import { prepareAll } from './train-data.js';
import { splitRun } from './split.js';
import { evaluate } from './evaluation.js';
import { MultiHeadModel } from './model.js';
import type { FromWorker, TrainJob } from './protocol.js';
import { BestEpoch } from './best-epoch.js';
import { runTraining, type ControlSignal, type TrainOutcome } from './trainer.js';
import { runWarnings } from './warnings.js';

export async function trainJob(job: TrainJob, post: (message: FromWorker) => void, control: () => ControlSignal): Promise<TrainOutcome> {
  // Read-only and unchecked: the owner opened (and quick_checked) the database before it started
  // this job, and a check here would scan the whole file again before the first step.
  const project = Project.open(job.dataDir, { mode: 'read', check: 'none' });
  let pipeline: DataPipeline | undefined;
  let finished = false;
  try {
    const { spec } = job;
    const model = new MultiHeadModel(spec, job.targets);
    const labels = readLabels(project, labelTargets(spec));
    const toExamples = (ids: number[][]): Example[] => ids.map((imageIds) => ({ imageIds }));
    let split;
    let description = job.split?.description;
    if (job.split) {
      split = { train: toExamples(job.split.train), validation: toExamples(job.split.validation), test: toExamples(job.split.test) };
    } else {
      const made = splitRun(spec, model.resolved, buildExamples(spec, model.resolved, labels), labels, SourceTable.of(project.store.images.sources()));
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
    pipeline = DataPipeline.open(project, spec, model.resolved, labels, [...split.train, ...split.validation, ...split.test], {
      // runs/N/checkpoints → runs/N/pixel-cache
      cacheDir: path.join(path.dirname(job.checkpointDir), 'pixel-cache'),
      budgetMB: spec.training.pixelCacheMB,
    });
    const data = (examples: Example[], seed: number) => pipeline!.data(examples, seed);
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
      const testData = data(split.test, 0);
      await prepareAll(testData);
      const evaluation = await evaluate(model, testData, (i) => split.test[i]!.imageIds[0]!, job.targets);
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
    finished = outcome.status === 'completed';
    return outcome;
  } finally {
    // A completed run needs its decoded pixels no more; a cancelled or failed one keeps them for its resume.
    pipeline?.close(finished);
    project.close();
  }
}
