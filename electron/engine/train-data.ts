/** A dataset as the trainer and the evaluation read it: batches built on demand from example indices. */
import type { Batch } from './train-step.js';

export interface TrainData {
  size: number;
  /**
   * Builds a batch (tensors owned by the caller) from example indices. With `augment`, the
   * random shifts are drawn from the data's seed and `step`, so a resumed run draws the same
   * shifts at the same step as an uninterrupted one.
   */
  batch(indices: number[], augment: boolean, step?: number): Batch;
}
