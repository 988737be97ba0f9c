/** Events the services emit (import progress, label changes, training progress), by name. */
import type { ImportJob } from '../imports.js';
import type { RunSummary } from '../runs.js';

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
  decoded?: { done: number; total: number };
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
