/** Response types of the API (those the store or the engine also use live beside it in shared/). */
import type { LabelSource, LabelState, TargetDef } from '../targets.js';

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
