/** An image's labels as one row of a labels file (shared/label-file.ts): what exports write and the importer reads back. */
import { FILE_COLUMN, HASH_COLUMN, UNKNOWN_CELL, type FileLabelSource } from '../../shared/label-file.js';
import type { TargetDef } from '../../shared/targets.js';
import type { AnnotationRow } from '../store/annotations-repo.js';

export type Cell = string | number | null;
export type LabelFormat = 'csv' | 'jsonl';

function sourceOf(row: AnnotationRow): FileLabelSource {
  if (row.source === 'model') return 'model';
  if (row.origin === 'accepted' || row.origin === 'derived' || row.origin === 'imported') return row.origin;
  return 'human';
}

/**
 * One row: the file name, its content hash, and per target the label a person gave (or, with
 * `predictions`, the model's where no person has) with its source, run and confidence. In a
 * CSV unknown is '?' and not looked at is empty; in JSONL unknown is null and not looked at
 * leaves the target's keys out.
 */
export function labelRow(
  image: { originalName: string; sha256: string },
  file: string,
  targets: TargetDef[],
  annotations: AnnotationRow[],
  options: { format: LabelFormat; predictions: boolean },
): Record<string, Cell> {
  const csv = options.format === 'csv';
  const row: Record<string, Cell> = { [FILE_COLUMN]: file, [HASH_COLUMN]: image.sha256 };
  for (const target of targets) {
    const human = annotations.find((a) => a.target_id === target.id && a.source === 'human');
    const chosen = human ?? (options.predictions ? annotations.find((a) => a.target_id === target.id && a.source === 'model') : undefined);
    const name = target.name;
    if (!chosen) {
      if (csv) Object.assign(row, { [name]: '', [`${name}:source`]: '', [`${name}:run`]: '', [`${name}:confidence`]: '' });
      continue;
    }
    const value = chosen.state === 'unknown' ? (csv ? UNKNOWN_CELL : null) : (chosen.class_name ?? chosen.text_value);
    row[name] = value;
    row[`${name}:source`] = sourceOf(chosen);
    if (csv || chosen.run_id !== null) row[`${name}:run`] = chosen.run_id ?? '';
    if (csv || chosen.confidence !== null) row[`${name}:confidence`] = chosen.confidence ?? '';
  }
  return row;
}

/** Annotations grouped by image id. */
export function byImage(rows: AnnotationRow[]): Map<number, AnnotationRow[]> {
  const map = new Map<number, AnnotationRow[]>();
  for (const row of rows) {
    const list = map.get(row.image_id);
    if (list) list.push(row);
    else map.set(row.image_id, [row]);
  }
  return map;
}
