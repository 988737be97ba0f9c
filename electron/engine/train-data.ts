/** A dataset as the trainer and the evaluation read it: batches built on demand from example indices. */
import type { Batch } from './train-step.js';

export interface TrainData {
  size: number;
  /** Builds a batch (tensors owned by the caller) from example indices. */
  batch(indices: number[], augment: boolean): Batch;
}
