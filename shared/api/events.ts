/** Events the services emit (import progress, label changes, training progress), by name. */
import type { ImportJob } from '../imports.js';
import type { RunPhase, RunSummary } from '../runs.js';

/** An image a run skipped because it could not be read: which, its file, and why. */
export interface SkippedImage {
  name: string;
  file: string;
  reason: string;
}

/** A run's decoding: images decoded (or skipped) so far of all the run's images. */
export interface DecodeProgress {
  done: number;
  total: number;
  /** Images that could not be read (missing, unreadable, corrupt): skipped, not fatal. How many, and the first few by name. */
  skipped?: { count: number; images: SkippedImage[] };
}

export interface TrainingProgressEvent {
  runId: number;
  kind: 'step' | 'epoch';
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  loss: number;
  learningRate: number;
  heads: Record<string, { loss: number; accuracy: number | null; count: number; lambda?: number }>;
  validation?: { loss: number; heads: Record<string, { loss: number; accuracy: number | null; count: number }> };
  elapsedMs: number;
  etaMs: number | null;
  /** Images decoded so far of all the run's images: the first epoch trains while the rest are decoded. */
  decoded?: DecodeProgress;
  /** What the run does after this report, as far as its owner knows (engine/run-progress.ts). */
  phase?: RunPhase;
}

export interface PolyheadEvents {
  'import.progress': ImportJob;
  'import.finished': ImportJob;
  /** Empty `imageIds`: any image may have changed (predictions, a class operation, another process). */
  'annotations.changed': { imageIds: number[] };
  /** `targetId` 0: any target may have changed (another process wrote to the project). */
  'targets.changed': { targetId: number };
  'training.progress': TrainingProgressEvent;
  /** The backend a run's worker started, and why that one. */
  'training.backend': { runId: number; name: string; reason: string };
  /** How a new run's examples were split. */
  'training.split': { runId: number; counts: { train: number; validation: number; test: number } };
  'training.finished': RunSummary;
  'predict.progress': { runId: number; done: number; total: number };
  /** A dataset export writing into `out`. */
  'export.progress': { out: string; done: number; total: number };
}
export type EventName = keyof PolyheadEvents;
export type EventMessage = { [E in EventName]: { event: E; payload: PolyheadEvents[E] } }[EventName];
