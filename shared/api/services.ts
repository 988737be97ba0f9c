/** The API as one interface per service; the request schemas and these must name the same methods. */
import type { EvaluationReport } from '../evaluation.js';
import type { ImportJob } from '../imports.js';
import type { RunMetric, RunSummary } from '../runs.js';
import type { TargetDef } from '../targets.js';
import { serviceMethods } from './methods.js';
import type { MethodName, RequestOf, ServiceName } from './requests.js';
import type { TargetRemoved, TargetRenamed } from './target-responses.js';
import type { DatasetExport, LabelExportPage } from './responses.js';
import type { BackendInfo, EditHistory, EditResult, ImageDetail, ImageList, AnnotationView, ProjectInfo, ProjectStats } from './responses.js';

type Handler<S extends ServiceName, M extends MethodName<S>, R> = (req: RequestOf<S, M>) => Promise<R>;

export interface ProjectService {
  info: Handler<'project', 'info', ProjectInfo>;
  stats: Handler<'project', 'stats', ProjectStats>;
}
export interface TargetsService {
  list: Handler<'targets', 'list', TargetDef[]>;
  createCategorical: Handler<'targets', 'createCategorical', TargetDef>;
  createSequence: Handler<'targets', 'createSequence', TargetDef>;
  rename: Handler<'targets', 'rename', TargetRenamed>;
  remove: Handler<'targets', 'remove', TargetRemoved>;
  addClass: Handler<'targets', 'addClass', TargetDef>;
  renameClass: Handler<'targets', 'renameClass', TargetDef>;
  mergeClass: Handler<'targets', 'mergeClass', TargetDef & { moved: number }>;
  deleteClass: Handler<'targets', 'deleteClass', TargetDef & { affected: number }>;
  setHotkey: Handler<'targets', 'setHotkey', TargetDef>;
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
  acceptMany: Handler<'annotations', 'acceptMany', { accepted: AnnotationView[]; skipped: { targetId: number; reason: string }[] }>;
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
  predict: Handler<'training', 'predict', { images: number; written: Record<string, number>; missingClasses: { target: string; classes: string[] }[] }>;
  mistakes: Handler<'training', 'mistakes', { items: { imageId: number; head: string; trueClass: string; predicted: string; confidence: number }[] }>;
  check: Handler<'training', 'check', { ok: boolean; issues: { path: string; message: string }[] }>;
  export: Handler<'training', 'export', { dir: string; files: string[] }>;
}

export interface ImportsService {
  start: Handler<'imports', 'start', ImportJob>;
  status: Handler<'imports', 'status', ImportJob>;
  list: Handler<'imports', 'list', ImportJob[]>;
  beginUpload: Handler<'imports', 'beginUpload', { uploadId: string; maxFileBytes: number; maxFiles: number }>;
  startUpload: Handler<'imports', 'startUpload', ImportJob>;
  cancel: Handler<'imports', 'cancel', ImportJob>;
}

export interface ExportsService {
  labels: Handler<'exports', 'labels', LabelExportPage>;
  dataset: Handler<'exports', 'dataset', DatasetExport>;
}

/** The whole API as the renderer sees it. */
export interface PolyheadApi {
  project: ProjectService;
  targets: TargetsService;
  images: ImagesService;
  annotations: AnnotationsService;
  training: TrainingService;
  imports: ImportsService;
  exports: ExportsService;
}

// The contract and the interfaces must name the same methods.
type AssertSame<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const contractMatchesApi: {
  [S in ServiceName]: AssertSame<keyof PolyheadApi[S], MethodName<S>>;
} = { project: true, targets: true, images: true, annotations: true, training: true, imports: true, exports: true };
export const methodListMatchesContract: {
  [S in ServiceName]: AssertSame<(typeof serviceMethods)[S][number], MethodName<S>>;
} = { project: true, targets: true, images: true, annotations: true, training: true, imports: true, exports: true };
