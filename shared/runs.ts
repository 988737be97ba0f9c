/** Training runs as stored and served: shared by the store, the engine and the API. */

/** 'interrupted': the process training it stopped without finishing (killed, crashed); resume continues it. */
export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

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
