/**
 * A training job split in two (ARCHITECTURE.md, "training in two sides"): the data side
 * (Node: the project's database and files — labels, split, pixel cache, checkpoint files) and
 * the compute side (TensorFlow.js: model, steps, on-device metrics, evaluation), talking over
 * one message port. In a worker thread or process both sides run in the worker over a
 * MessageChannel; for Electron's training renderer the data side runs in the main process and
 * the compute side in the hidden page. Only the transport differs.
 *
 * The compute side speaks the worker's own messages (protocol.ts): it receives ToWorker
 * (start, pause, resume, cancel) and sends FromWorker reports (backend, progress, evaluation,
 * done, error), which the data side forwards to the job's owner. Besides them, the two sides
 * exchange the few messages below. Batches travel as transferable buffers: the pixel cache's
 * uint8 records (pixels.ts) and per-head label arrays; checkpoints as one float32 array
 * (checkpoint-codec.ts), written by the data side in the usual format.
 */
import type { DecodeProgress } from '../../../shared/api/events.js';
import type { SplitDescription } from '../../../shared/evaluation.js';
import type { TargetDef } from '../../../shared/targets.js';
import type { CheckpointManifest } from '../checkpoint-codec.js';
import type { FromWorker, ToWorker } from '../protocol.js';

export type SplitName = 'train' | 'validation' | 'test';

/** Per head: class index per example, and 1 where the label counts (0: masked). */
export type WireLabels = Record<string, { index: Int32Array; mask: Float32Array }>;

/** What the compute side needs to know of the project, once its labels are read and split. */
export interface TrainInit {
  type: 'init';
  /** Examples per split. */
  sizes: Record<SplitName, number>;
  /** The image shown for each test example (its first input's): the evaluation's cells name it. */
  testImages: number[];
  /** The project's targets now (the run's warnings compare them with the run's). */
  projectTargets: TargetDef[];
  description?: SplitDescription;
}

/** Data side → compute side. */
export type ToCompute =
  | ToWorker
  | TrainInit
  /**
   * The records of a batch request, example by example and input by input, with its labels;
   * `skipped` is 1 for a record whose image could not be read (left zeros; its example's labels are masked).
   */
  | { type: 'records'; id: number; records: Uint8Array; skipped: Uint8Array; labels: WireLabels; decoded: DecodeProgress }
  /** A checkpoint was written: `where` is how to ask for it back. */
  | { type: 'saved'; id: number; where: string }
  | { type: 'checkpoint-data'; id: number; manifest: CheckpointManifest; weights: Float32Array }
  /** A request failed (an image that cannot be decoded, a checkpoint that cannot be read or written). */
  | { type: 'failed'; id: number; message: string };

/** Compute side → data side. */
export type FromCompute =
  | FromWorker
  /** The order a split will be read in next (an epoch's): decoding follows it. */
  | { type: 'schedule'; split: SplitName; order: Int32Array }
  | { type: 'batch'; id: number; split: SplitName; indices: Int32Array }
  | { type: 'save'; id: number; manifest: CheckpointManifest; weights: Float32Array }
  | { type: 'load'; id: number; where: string };

// The compute side's reports (not split or checkpoint: the data side makes those) and its requests.
const FROM_COMPUTE = new Set<string>(['backend', 'progress', 'evaluation', 'done', 'error', 'schedule', 'batch', 'save', 'load']);

/** A message from the compute side (a page: checked before it is trusted with the project's files). */
export function isFromCompute(message: unknown): message is FromCompute {
  return typeof message === 'object' && message !== null && FROM_COMPUTE.has((message as { type?: unknown }).type as string);
}

/**
 * One end of the port between the sides, whatever carries it: a MessagePort (DOM or Node's
 * worker_threads), Electron's MessagePortMain, or a test's bridge. `transfer` lists buffers
 * the sender gives up (a transport that copies may ignore it).
 */
export interface SidePort {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  listen(listener: (message: unknown) => void): void;
  close(): void;
}

/** The part of a DOM or Node MessagePort used here (the engine is type-checked without the DOM library). */
export interface MessagePortLike {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

/** A DOM MessagePort (the training renderer's page) as a SidePort (setting onmessage starts it). */
export function sidePort(port: MessagePortLike): SidePort {
  const listeners: ((message: unknown) => void)[] = [];
  port.onmessage = (event) => {
    for (const l of listeners) l(event.data);
  };
  return {
    post: (message, transfer) => port.postMessage(message, transfer ?? []),
    listen: (listener) => void listeners.push(listener),
    close: () => port.close(),
  };
}

/** The buffers of typed arrays, to transfer (each once). */
export function buffersOf(...arrays: ArrayBufferView[]): ArrayBuffer[] {
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}
