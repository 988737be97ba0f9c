/** The typed messages between a training run's owner and its worker thread. */
import type { ModelSpec } from '../../shared/model-spec.js';
import type { BackendChoice } from './backend.js';
import type { Evaluation } from './evaluation.js';
import type { TrainOutcome, TrainProgress } from './trainer.js';

export interface SplitIds {
  /** Image ids per example (one per input). */
  train: number[][];
  validation: number[][];
  test: number[][];
}

export interface WorkerStart {
  dataDir: string;
  runId: number;
  spec: ModelSpec;
  checkpointDir: string;
  /** Resume from this checkpoint, with the run's stored split. */
  resumeFrom?: string;
  split?: SplitIds;
  backend?: string;
}

export type ToWorker =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  /** Process hosts (fork, Electron utilityProcess) receive their start message first. */
  | { type: 'start'; start: WorkerStart };

export type FromWorker =
  | { type: 'backend'; choice: BackendChoice }
  | { type: 'split'; split: SplitIds; counts: { train: number; validation: number; test: number } }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'checkpoint'; dir: string; epoch: number; step: number }
  | { type: 'evaluation'; evaluation: Evaluation }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; message: string };
