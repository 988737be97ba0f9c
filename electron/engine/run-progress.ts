/**
 * The latest progress of a run being trained, kept in memory by its owner (engine/runs.ts) so that
 * a view opened mid-run (training.runs) shows what the progress events show, not only the stored
 * epoch and step counts.
 */
import type { TrainingProgressEvent } from '../../shared/api/events.js';
import type { RunPhase } from '../../shared/runs.js';
import type { TrainProgress } from './train-loop.js';

/**
 * What the run does after this report. The last epoch's report is followed by the test split's
 * evaluation when the run has test images (engine/sides/compute-side.ts); validation happens
 * inside an epoch, between reports, so it is not told apart from training here.
 */
export function phaseAfter(progress: TrainProgress, testImages: number): RunPhase {
  return progress.kind === 'epoch' && progress.epoch + 1 >= progress.epochs && testImages > 0 ? 'evaluating' : 'training';
}

/** A worker's progress report as the event and the run summary carry it. */
export function liveProgress(runId: number, progress: TrainProgress, testImages: number): TrainingProgressEvent {
  return { runId, ...progress, phase: phaseAfter(progress, testImages) };
}
