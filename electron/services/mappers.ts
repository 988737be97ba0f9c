/** Store rows as the API returns them: every row-to-response mapping lives here. */
import type { AnnotationView, ImageDetail, ImageSummary, RunSummary } from '../../shared/api/contract.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import type { ImageRow } from '../store/images-repo.js';
import type { RunRow } from '../store/runs-repo.js';

export function toRunSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    spec: JSON.parse(r.spec) as unknown,
    status: r.status,
    backend: r.backend,
    epochsDone: r.epochs_done,
    stepsDone: r.steps_done,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    error: r.error,
    createdBy: r.created_by,
  };
}

/** An annotation row as the API returns it. */
export function toAnnotationView(row: AnnotationRow): AnnotationView {
  return {
    targetId: row.target_id,
    state: row.state,
    value: row.state === 'unknown' ? null : (row.class_name ?? row.text_value),
    source: row.source,
    origin: row.origin,
    confidence: row.confidence,
    runId: row.run_id,
    version: row.version,
    updatedAt: row.updated_at,
    author: row.author,
  };
}

/** A grid tile: the image and its human labels. */
export function toImageSummary(row: ImageRow, human: AnnotationRow[], targetCount: number): ImageSummary {
  const labels: ImageSummary['labels'] = {};
  for (const a of human)
    labels[a.target_id] = {
      state: a.state,
      value: a.state === 'unknown' ? null : (a.class_name ?? a.text_value),
      origin: a.origin,
      runId: a.run_id,
      confidence: a.confidence,
    };
  return {
    id: row.id,
    width: row.width,
    height: row.height,
    originalName: row.original_name,
    answered: human.length,
    targetCount,
    labels,
  };
}

/** One image with every annotation (human and model). */
export function toImageDetail(row: ImageRow, annotations: AnnotationRow[], targetCount: number): ImageDetail {
  return {
    ...toImageSummary(
      row,
      annotations.filter((a) => a.source === 'human'),
      targetCount,
    ),
    sha256: row.sha256,
    format: row.format,
    byteSize: row.byte_size,
    originalPath: row.original_path,
    importedAt: row.imported_at,
    annotations: annotations.map(toAnnotationView),
  };
}
