/**
 * The training loop for callers in Node (tests, benchmarks): train-loop.ts with its
 * checkpoints in folders (checkpointDir, resumeFrom: a checkpoint folder). The engine's
 * training job calls train-loop.ts with the data side's store instead (sides/).
 */
import { fileCheckpoints } from './checkpoint-files.js';
import { trainLoop, type TrainOptions as LoopOptions, type TrainOutcome } from './train-loop.js';

export { evaluateLosses, type ControlSignal, type HeadMetrics, type TrainOutcome, type TrainProgress } from './train-loop.js';

export interface TrainOptions extends Omit<LoopOptions, 'checkpoints'> {
  /** Checkpoints go here after every epoch (epoch-NNNN folders). */
  checkpointDir?: string;
}

export function runTraining(options: TrainOptions): Promise<TrainOutcome> {
  const { checkpointDir, ...rest } = options;
  // Without a folder nothing is saved; a resume still loads its folder.
  return trainLoop({ ...rest, checkpoints: fileCheckpoints(checkpointDir) });
}
