/**
 * Checkpoints of a model in Node: checkpoint-codec.ts's data written to and read from
 * checkpoint-files.ts's folders (prediction, export, tests). Training hands its checkpoints
 * to a CheckpointStore instead, so the training renderer's go through the data side.
 */
import { applyCheckpoint, type CheckpointManifest } from './checkpoint-codec.js';
import { readCheckpointFiles } from './checkpoint-files.js';
import type { MultiHeadModel } from './model.js';
import type { tf } from './tf.js';

export type { CheckpointManifest };

/** Restores weights and optimizer state; the model must be built from the same spec. */
export async function loadCheckpoint(dir: string, model: MultiHeadModel, optimizer: tf.Optimizer | null): Promise<CheckpointManifest> {
  return applyCheckpoint(await readCheckpointFiles(dir), model, optimizer, dir);
}
