/** Response types of the API (those the store or the engine also use live beside it in shared/). */
import type { Role } from '../roles.js';
import type { LabelOrigin, LabelSource, LabelState, TargetDef } from '../targets.js';

export interface ProjectInfo {
  name: string;
  /** The project folder (for callers who are not admins: its name only). */
  dataDir: string;
  schemaVersion: number;
  imageCount: number;
  createdAt: string;
  /** Who is asking: the signed-in user (server mode) or the local user, and their role. */
  user: string;
  role: Role;
  /** A --read-only server: nothing can be changed through it. */
  readOnly: boolean;
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
  /**
   * Human labels: 'typed' by a person, 'accepted' from a model suggestion (runId and confidence
   * say which), 'derived' (a length that follows the digits) or 'imported' (from a labels file,
   * folder names or transcripts); model labels: null.
   */
  origin: LabelOrigin | null;
  confidence: number | null;
  runId: number | null;
  /** Increases with every write of this label; a write names the version it was made against. */
  version: number;
  updatedAt: string;
  /** Who wrote it (null for labels from before users were recorded). */
  author: string | null;
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
  labels: Record<number, { state: 'value' | 'unknown'; value: string | null; origin: LabelOrigin | null; runId: number | null; confidence: number | null }>;
}

export interface ImageDetail extends ImageSummary {
  sha256: string;
  format: string;
  byteSize: number;
  /**
   * Where the file was imported from (null: an IDX digit). An image uploaded through a browser
   * has `upload:` and its path inside the upload (shared/uploads.ts): the server's copy was temporary.
   */
  originalPath: string | null;
  importedAt: string;
  annotations: AnnotationView[];
}

export interface ImageList {
  total: number;
  offset: number;
  items: ImageSummary[];
  /** The cursor for the page after this one (images.list `after`); null when this page is the last. */
  next: string | null;
}

export interface EditResult {
  /** What was undone or redone, e.g. "digits of image 12"; null when there was nothing to do. */
  description: string | null;
  imageIds: number[];
  /** When the step brought back or removed a class (a merge or deletion), the target whose classes changed. */
  classTargetId: number | null;
  /**
   * Labels of the step left as they are because someone else changed them since (another user,
   * another process): an undo never reverts another's later edit. `keptBy` names who.
   */
  kept: number;
  keptBy: string[];
}

export interface EditHistory {
  undo: string | null;
  redo: string | null;
  /** How many steps can be undone and redone: the history is kept in full. */
  undoDepth: number;
  redoDepth: number;
}

export interface BackendInfo {
  name: 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  reason: string;
  skipped: { name: string; why: string }[];
  /** The WebGPU adapter training runs on (backend webgpu); `software`: a CPU emulation, slower than the CPU backends. */
  adapter?: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean; software: boolean; via: string };
}

/** One page of a labels export (exports.labels). */
export interface LabelExportPage {
  /** CSV lines (the header first on the first page) or JSONL lines, each ending in a newline. */
  text: string;
  rows: number;
  /** The `after` of the next page; null after the last. */
  next: number | null;
  /** How many images the export has in all: on the first page (after 0) only, null on the others. */
  total: number | null;
  /** The targets exported, in column order: pass them on to the next pages. */
  targetIds: number[];
  columns: string[];
}

/** What exports.dataset wrote. */
export interface DatasetExport {
  dir: string;
  images: number;
  /** folders: images per class (per part of the split when there is one, as 'train/serif'). */
  counts: Record<string, number>;
  /** Images left out and why (no label of the target, not in the run's split, a class name that is no folder name). */
  skipped: { reason: string; count: number; examples: string[] }[];
  /** Files that were in the folder before (with force) and are not part of this export: left as they were. */
  foreign: string[];
}
