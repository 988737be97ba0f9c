/**
 * The one API contract of Polyhead. Every service is an interface, every request a
 * zod schema, every response a type. The same contract is served over Electron IPC
 * (preload façade) and over the local HTTP/WebSocket server; the renderer's `api`
 * module builds its client from it. Runtime-neutral: imports only zod.
 */
import { z } from 'zod';
import type { LabelSource, LabelState, TargetDef } from '../targets.js';
import type { EvaluationReport } from '../evaluation.js';
import { modelSpecSchema } from '../model-spec.js';
import { serviceMethods } from './methods.js';

const id = z.number().int().positive();
const name = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}_\- .]+$/u, 'may contain letters, digits, spaces, "_", "-" and "." only');
const empty = z.object({}).strict();

export const labelInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.string().max(64) }).strict(),
  z.object({ kind: z.literal('unknown') }).strict(),
]);

/**
 * Which images a grid shows or a labeling queue walks. `status` counts human answers over
 * all targets; `target` narrows to one target's label state, class, source and confidence.
 */
export const imageFilterSchema = z
  .object({
    /** 'pending': at least one target not looked at; 'complete': every target answered; 'untouched': none. */
    status: z.enum(['any', 'pending', 'complete', 'untouched']).default('any'),
    target: z
      .object({
        targetId: id,
        /** 'pending': not looked at; 'answered': a value or unknown. Omitted: any. */
        state: z.enum(['pending', 'unknown', 'value', 'answered']).optional(),
        /** Only this class (length and categorical targets). */
        classId: id.optional(),
        /** 'model': images with a model prediction for the target and no human label yet. */
        source: z.enum(['human', 'model']).default('human'),
        /** Model predictions at or below this confidence. */
        maxConfidence: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** 'confidence': lowest model confidence first (needs target.source 'model'). */
    order: z.enum(['id', 'confidence']).default('id'),
  })
  .strict();
export type ImageFilter = z.output<typeof imageFilterSchema>;

const coalesceKey = z.string().min(1).max(200);

/** Request schemas, by service and method. */
export const requests = {
  project: {
    info: empty,
    stats: empty,
  },
  targets: {
    list: empty,
    createCategorical: z
      .object({ name, classes: z.array(name).max(200).default([]) })
      .strict(),
    addClass: z.object({ targetId: id, name }).strict(),
    renameClass: z.object({ targetId: id, classId: id, name }).strict(),
    /** Moves every label of classId to intoClassId, then deletes classId. */
    mergeClass: z.object({ targetId: id, classId: id, intoClassId: id }).strict(),
    /**
     * Deletes a class. A class in use is refused unless `labels` says what becomes of its
     * labels: 'unknown' (explicitly unknown) or 'pending' (not looked at). To keep them, merge.
     */
    deleteClass: z.object({ targetId: id, classId: id, labels: z.enum(['refuse', 'unknown', 'pending']).default('refuse') }).strict(),
  },
  images: {
    list: z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        filter: imageFilterSchema.default({ status: 'any', order: 'id' }),
      })
      .strict(),
    get: z.object({ id }).strict(),
    /** The ids a labeling queue walks, in order. */
    ids: z.object({ filter: imageFilterSchema.default({ status: 'any', order: 'id' }) }).strict(),
  },
  annotations: {
    /** Sets one human label. Edits sharing a coalesceKey (one field being typed) form one undo step. */
    set: z.object({ imageId: id, targetId: id, label: labelInputSchema, coalesceKey: coalesceKey.optional() }).strict(),
    /** Back to "not looked at". */
    clear: z.object({ imageId: id, targetId: id, coalesceKey: coalesceKey.optional() }).strict(),
    /** One label for many images (given by id, or every image matching a filter), as one undo step. */
    /** Makes the model's prediction for a target the human label (one undoable edit). */
    accept: z.object({ imageId: id, targetId: id }).strict(),
    bulkSet: z
      .object({
        imageIds: z.array(id).min(1).max(200_000).optional(),
        filter: imageFilterSchema.optional(),
        targetId: id,
        label: labelInputSchema,
      })
      .strict()
      .refine((r) => (r.imageIds === undefined) !== (r.filter === undefined), {
        message: 'give either imageIds or filter',
        path: ['imageIds'],
      }),
    undo: empty,
    redo: empty,
    history: empty,
  },
  training: {
    /** The backend training would run on here, and why. */
    backend: empty,
    /** The example specs shipped in resources/specs. */
    specs: empty,
    runs: empty,
    /** Starts a run of a model spec in a worker; progress arrives as training.progress events. */
    start: z
      .object({
        spec: modelSpecSchema,
        name: z.string().min(1).max(120).optional(),
        backend: z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).optional(),
      })
      .strict(),
    control: z.object({ runId: id, action: z.enum(['pause', 'resume', 'cancel']) }).strict(),
    /** Continues a stopped run (crash, kill, cancel) from its last checkpoint. */
    resume: z.object({ runId: id }).strict(),
    /** Every recorded metric of a run (curves). */
    metrics: z.object({ runId: id }).strict(),
    /** The test evaluation of a finished run. */
    evaluation: z.object({ runId: id }).strict(),
    /** The images behind one cell of a head's confusion matrix, most confident first. */
    cell: z.object({ runId: id, head: z.string().min(1).max(48), trueIndex: z.number().int().min(0), predIndex: z.number().int().min(0) }).strict(),
    /** Stores a run's predictions as model-sourced labels (never over human labels). */
    predict: z.object({ runId: id, all: z.boolean().default(false) }).strict(),
  },
  imports: {
    start: z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
        /** Reject images larger than this many pixels (width x height). */
        maxPixels: z.number().int().positive().max(100_000_000).optional(),
      })
      .strict(),
    status: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    list: empty,
  },
} as const;

type Requests = typeof requests;
export type ServiceName = keyof Requests;
export type MethodName<S extends ServiceName> = keyof Requests[S] & string;
/** "service.method" for every method of the contract. */
export type QualifiedMethod = { [S in ServiceName]: `${S}.${MethodName<S>}` }[ServiceName];
/** What a caller passes: the schema's input (defaults may be omitted). */
export type RequestOf<S extends ServiceName, M extends MethodName<S>> = z.input<Requests[S][M]>;
/** What a handler receives: the parsed request with defaults filled in. */
export type ParsedRequestOf<S extends ServiceName, M extends MethodName<S>> = z.output<Requests[S][M]>;

// ---------------------------------------------------------------- responses

export interface ProjectInfo {
  name: string;
  dataDir: string;
  schemaVersion: number;
  imageCount: number;
  createdAt: string;
}

export interface TargetStats {
  targetId: number;
  name: string;
  kind: TargetDef['kind'];
  labeled: number;
  unknown: number;
  pending: number;
  /** Human labels per class (length and categorical targets). */
  classes: { name: string; count: number }[];
  /** Sequence targets: how many human values of each length. */
  lengths?: { length: number; count: number }[];
  /** Sequence targets: the most common values (up to 20). */
  topValues?: { value: string; count: number }[];
}

export interface ProjectStats {
  images: number;
  targets: TargetStats[];
}

export interface AnnotationView {
  targetId: number;
  state: Exclude<LabelState, 'pending'>;
  /** The class name or sequence text; null when unknown. */
  value: string | null;
  source: LabelSource;
  confidence: number | null;
  updatedAt: string;
}

export interface ImageSummary {
  id: number;
  width: number;
  height: number;
  originalName: string;
  /** Targets answered by a human (a value or unknown), out of `targetCount`. */
  answered: number;
  targetCount: number;
  /** Human labels by target id. */
  labels: Record<number, { state: 'value' | 'unknown'; value: string | null }>;
}

export interface ImageDetail extends ImageSummary {
  sha256: string;
  format: string;
  byteSize: number;
  originalPath: string | null;
  importedAt: string;
  annotations: AnnotationView[];
}

export interface ImageList {
  total: number;
  offset: number;
  items: ImageSummary[];
}

export interface ImportRejection {
  item: string;
  reason: string;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  rejected: ImportRejection[];
  /** Files that are neither images, label files nor IDX files. */
  ignored: string[];
  labelsApplied: number;
  labelProblems: ImportRejection[];
  createdClasses: string[];
  elapsedMs: number;
}

export interface ImportJob {
  jobId: string;
  state: 'running' | 'finished' | 'failed';
  paths: string[];
  done: number;
  total: number;
  startedAt: string;
  summary: ImportSummary | null;
  error: string | null;
}

export interface EditResult {
  /** What was undone or redone, e.g. "digits of image 12"; null when there was nothing to do. */
  description: string | null;
  imageIds: number[];
}

export interface EditHistory {
  undo: string | null;
  redo: string | null;
}

export interface BackendInfo {
  name: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  reason: string;
  skipped: { name: string; why: string }[];
}

export interface RunSummary {
  id: number;
  name: string;
  /** The model spec the run trains (as stored with it). */
  spec: unknown;
  status: 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  backend: string | null;
  epochsDone: number;
  stepsDone: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

// ---------------------------------------------------------------- services

type Handler<S extends ServiceName, M extends MethodName<S>, R> = (req: RequestOf<S, M>) => Promise<R>;

export interface ProjectService {
  info: Handler<'project', 'info', ProjectInfo>;
  stats: Handler<'project', 'stats', ProjectStats>;
}
export interface TargetsService {
  list: Handler<'targets', 'list', TargetDef[]>;
  createCategorical: Handler<'targets', 'createCategorical', TargetDef>;
  addClass: Handler<'targets', 'addClass', TargetDef>;
  renameClass: Handler<'targets', 'renameClass', TargetDef>;
  mergeClass: Handler<'targets', 'mergeClass', TargetDef & { moved: number }>;
  deleteClass: Handler<'targets', 'deleteClass', TargetDef & { affected: number }>;
}
export interface ImagesService {
  list: Handler<'images', 'list', ImageList>;
  get: Handler<'images', 'get', ImageDetail>;
  ids: Handler<'images', 'ids', { ids: number[] }>;
}
export interface AnnotationsService {
  set: Handler<'annotations', 'set', AnnotationView>;
  clear: Handler<'annotations', 'clear', { cleared: boolean }>;
  bulkSet: Handler<'annotations', 'bulkSet', { count: number }>;
  accept: Handler<'annotations', 'accept', AnnotationView>;
  undo: Handler<'annotations', 'undo', EditResult>;
  redo: Handler<'annotations', 'redo', EditResult>;
  history: Handler<'annotations', 'history', EditHistory>;
}
export interface TrainingService {
  backend: Handler<'training', 'backend', BackendInfo>;
  specs: Handler<'training', 'specs', { file: string; spec: unknown }[]>;
  runs: Handler<'training', 'runs', RunSummary[]>;
  start: Handler<'training', 'start', RunSummary>;
  control: Handler<'training', 'control', RunSummary>;
  resume: Handler<'training', 'resume', RunSummary>;
  metrics: Handler<'training', 'metrics', { rows: RunMetric[] }>;
  evaluation: Handler<'training', 'evaluation', EvaluationReport>;
  cell: Handler<'training', 'cell', { items: { imageId: number; confidence: number }[] }>;
  predict: Handler<'training', 'predict', { images: number; written: Record<string, number> }>;
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
}
export interface ImportsService {
  start: Handler<'imports', 'start', ImportJob>;
  status: Handler<'imports', 'status', ImportJob>;
  list: Handler<'imports', 'list', ImportJob[]>;
}

/** The whole API as the renderer sees it. */
export interface PolyheadApi {
  project: ProjectService;
  targets: TargetsService;
  images: ImagesService;
  annotations: AnnotationsService;
  training: TrainingService;
  imports: ImportsService;
}

// The contract and the interfaces must name the same methods.
type AssertSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const contractMatchesApi: {
  [S in ServiceName]: AssertSame<keyof PolyheadApi[S], MethodName<S>>;
} = { project: true, targets: true, images: true, annotations: true, training: true, imports: true };
export const methodListMatchesContract: {
  [S in ServiceName]: AssertSame<(typeof serviceMethods)[S][number], MethodName<S>>;
} = { project: true, targets: true, images: true, annotations: true, training: true, imports: true };

// ---------------------------------------------------------------- events

export interface PolyheadEvents {
  'import.progress': ImportJob;
  'import.finished': ImportJob;
  'annotations.changed': { imageIds: number[] };
  'targets.changed': { targetId: number };
  'training.progress': TrainingProgressEvent;
  'training.finished': RunSummary;
  'predict.progress': { runId: number; done: number; total: number };
}
export type EventName = keyof PolyheadEvents;
export type EventMessage = { [E in EventName]: { event: E; payload: PolyheadEvents[E] } }[EventName];

// ---------------------------------------------------------------- wire format

export type ErrorCode = 'invalid_request' | 'unknown_method' | 'not_found' | 'conflict' | 'internal';

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** For invalid requests: each bad field's path ("label.kind") and what is wrong. */
  issues?: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

/** Every "service.method" of the contract, in declaration order. */
export const methodNames: QualifiedMethod[] = Object.entries(requests).flatMap(([service, methods]) =>
  Object.keys(methods).map((method) => `${service}.${method}` as QualifiedMethod),
);

export function splitMethod(method: string): [ServiceName, string] | null {
  const [service, fn, ...rest] = method.split('.');
  if (!service || !fn || rest.length > 0 || !Object.hasOwn(requests, service)) return null;
  if (!Object.hasOwn(requests[service as ServiceName], fn)) return null;
  return [service as ServiceName, fn];
}

/** Builds a client for the whole API from one transport function. */
export function buildClient(invoke: (method: QualifiedMethod, payload: unknown) => Promise<unknown>): PolyheadApi {
  const api: Record<string, Record<string, (req: unknown) => Promise<unknown>>> = {};
  for (const [service, methods] of Object.entries(requests)) {
    const facade: Record<string, (req: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(methods)) {
      facade[method] = (req: unknown) => invoke(`${service}.${method}` as QualifiedMethod, req ?? {});
    }
    api[service] = facade;
  }
  return api as unknown as PolyheadApi;
}

/** HTTP status for an error code (server mode). */
export const httpStatusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  internal: 500,
};

/** Paths the renderer uses for image bytes, the same in Electron and in a browser. */
export const mediaPath = {
  thumb: (imageId: number) => `media/thumb/${imageId}`,
  image: (imageId: number) => `media/image/${imageId}`,
};
