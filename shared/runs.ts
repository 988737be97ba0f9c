/** Training runs as stored and served: shared by the store, the engine and the API. */
import type { TrainingProgressEvent } from './api/events.js';

/** 'interrupted': the process training it stopped without finishing (killed, crashed); resume continues it. */
export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** What a running run is doing: 'evaluating': its epochs are done and the test split is being evaluated. */
export type RunPhase = 'training' | 'evaluating';

export interface RunSummary {
  id: number;
  name: string;
  /** The model spec the run trains (as stored with it). */
  spec: unknown;
  status: RunStatus;
  backend: string | null;
  epochsDone: number;
  stepsDone: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Who started it (null for runs from before users were recorded). */
  createdBy: string | null;
  /**
   * The latest progress of a run this process is training (absent otherwise, and before its first
   * report): what the Train view shows when it opens mid-run, before the next progress event.
   */
  progress?: TrainingProgressEvent;
}

export interface RunMetric {
  epoch: number;
  step: number;
  split: 'train' | 'val' | 'test';
  /** '' for the combined loss. */
  head: string;
  metric: string;
  value: number;
}
