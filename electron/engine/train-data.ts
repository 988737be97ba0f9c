/** A dataset as the trainer and the evaluation read it: batches built on demand from example indices. */
import type { DecodeProgress } from '../../shared/api/events.js';
import type { Batch } from './train-step.js';

export interface TrainData {
  size: number;
  /**
   * Builds a batch (tensors owned by the caller) from example indices. With `augment`, the
   * random shifts are drawn from the data's seed and `step`, so a resumed run draws the same
   * shifts at the same step as an uninterrupted one. A streaming source (pipeline/) needs the
   * indices prepared first (`prepare`); an in-memory one has everything at hand.
   */
  batch(indices: number[], augment: boolean, step?: number): Batch;
  /** Streaming sources: the order the examples will be read in (one epoch), so decoding runs ahead in that order. */
  schedule?(order: number[]): void;
  /** Streaming sources: resolves when these examples' pixels can be read by `batch` (decoded into the cache). */
  prepare?(indices: number[]): Promise<void>;
  /** Streaming sources: how many of the images behind every split are decoded (or skipped: unreadable) so far, of how many. */
  decodeProgress?(): DecodeProgress;
}

/** Resolves when every example of `data` can be read (streaming sources); at once for in-memory ones. */
export async function prepareAll(data: TrainData): Promise<void> {
  if (data.prepare) await data.prepare(Array.from({ length: data.size }, (_, i) => i));
}
