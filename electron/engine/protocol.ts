/**
 * The typed messages between an engine job's owner and its worker (a thread, a forked process
 * or Electron's utilityProcess). A job is one of: train a run, predict with a run, export a
 * run's model, or probe the backend. The worker only reads the project; every database write
 * happens in the owner (engine/runs.ts for training, engine/jobs.ts for the others).
 */
import type { ModelSpec } from '../../shared/model-spec.js';
import type { SplitDescription } from '../../shared/evaluation.js';
import type { TargetDef } from '../../shared/targets.js';
import type { BackendChoice } from './backend.js';
import type { Evaluation } from './evaluation.js';
import type { TrainOutcome, TrainProgress } from './train-loop.js';

export interface SplitIds {
  /** Image ids per example (one per input). */
  train: number[][];
  validation: number[][];
  test: number[][];
  /** What kind of split it was (runs from before it was recorded: absent). */
  description?: SplitDescription;
}

interface JobBackend {
  /** Forces a backend (tensorflow-gpu, tensorflow, wasm, cpu); otherwise POLYHEAD_BACKEND or the fastest present. */
  backend?: string;
  /** The worker's JavaScript heap limit in MB, sized by the owner from the project (heap-limit.ts); absent: Node's default. */
  heapLimitMB?: number;
}

export interface TrainJob extends JobBackend {
  kind: 'train';
  dataDir: string;
  runId: number;
  spec: ModelSpec;
  /** The targets and class lists the run trains with (kept with the run). */
  targets: TargetDef[];
  checkpointDir: string;
  /** Resume from this checkpoint, with the run's stored split. */
  resumeFrom?: string;
  split?: SplitIds;
}

/** Predicts every head of a run's last checkpoint for the images without a human label (all: every image). */
export interface PredictJob extends JobBackend {
  kind: 'predict';
  dataDir: string;
  runId: number;
  all: boolean;
  batchSize?: number;
}

export interface ExportJob extends JobBackend {
  kind: 'export';
  dataDir: string;
  runId: number;
  outDir: string;
}

/** Starts the backend training would use, and says which and why. */
export interface ProbeJob extends JobBackend {
  kind: 'probe';
}

export type WorkerJob = TrainJob | PredictJob | ExportJob | ProbeJob;
export type JobKind = WorkerJob['kind'];

/** One model-sourced label the owner writes: the target by id (and name, to count), a class id or a text. */
export interface PredictedLabel {
  imageId: number;
  targetId: number;
  target: string;
  textValue: string | null;
  classId: number | null;
  /** In [0, 1]. */
  confidence: number;
}

export interface ExportResult {
  dir: string;
  files: string[];
}

/** What each job ends with. */
export type JobResult =
  | { kind: 'train'; outcome: TrainOutcome }
  | { kind: 'predict'; images: number; missingClasses: { target: string; classes: string[] }[] }
  | { kind: 'export'; result: ExportResult }
  | { kind: 'probe'; choice: BackendChoice };
export type JobResultOf<K extends JobKind> = Extract<JobResult, { kind: K }>;

export type ToWorker =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  /** Process hosts (fork, Electron utilityProcess) receive their job first. */
  | { type: 'start'; job: WorkerJob };

export type FromWorker =
  /** Every job: the backend it started. */
  | { type: 'backend'; choice: BackendChoice }
  /** Training: */
  | { type: 'split'; split: SplitIds; counts: { train: number; validation: number; test: number } }
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'checkpoint'; dir: string; epoch: number; step: number }
  | { type: 'evaluation'; evaluation: Evaluation }
  /** Prediction: one batch of labels to write, and how many images are done of how many. */
  | { type: 'predictions'; labels: PredictedLabel[]; done: number; total: number }
  /** Every job ends with done or error. */
  | { type: 'done'; result: JobResult }
  | { type: 'error'; message: string };
