/**
 * The columns of a labels file, as the exporter writes them and the importer reads them back:
 * `file` (the path relative to the folder imported), `sha256` (the content hash), then per
 * target `NAME` (the value; `?` unknown; empty: not looked at) and its provenance columns
 * `NAME:source`, `NAME:run`, `NAME:confidence`. Target names cannot contain ':' (shared/names.ts),
 * so a provenance column never collides with a target's own.
 */

/**
 * Where a label in a file came from: typed by a person ('human'), imported into the project that
 * wrote the file ('imported': a person's label from elsewhere), accepted from a model's
 * suggestion, derived (a length from the digits), or a model prediction. Reading a file, 'human'
 * and 'imported' both become 'imported' labels: whoever typed them, they arrive by an import.
 */
export const FILE_LABEL_SOURCES = ['human', 'imported', 'accepted', 'derived', 'model'] as const;
export type FileLabelSource = (typeof FILE_LABEL_SOURCES)[number];

export const FILE_COLUMN = 'file';
export const HASH_COLUMN = 'sha256';
/** What a cell holding "unknown" reads in a CSV (JSONL writes null). */
export const UNKNOWN_CELL = '?';

export type ColumnPart = 'value' | 'source' | 'run' | 'confidence';
const PARTS: readonly ColumnPart[] = ['source', 'run', 'confidence'];

/** The columns of one target, in file order. */
export function targetColumns(target: string): string[] {
  return [target, `${target}:source`, `${target}:run`, `${target}:confidence`];
}

/** Every column of an export over these targets. */
export function exportColumns(targets: string[]): string[] {
  return [FILE_COLUMN, HASH_COLUMN, ...targets.flatMap(targetColumns)];
}

/** Which target a column belongs to and what it holds ('value' for the target's own column). */
export function parseColumn(column: string): { target: string; part: ColumnPart } {
  const at = column.lastIndexOf(':');
  if (at > 0) {
    const part = column.slice(at + 1) as ColumnPart;
    if (PARTS.includes(part)) return { target: column.slice(0, at), part };
  }
  return { target: column, part: 'value' };
}

/** A source cell as a file may spell it ('typed' is read as 'human'); null when it is not one. */
export function parseFileSource(text: string): FileLabelSource | null {
  const lower = text.trim().toLowerCase();
  if (lower === 'typed') return 'human';
  return (FILE_LABEL_SOURCES as readonly string[]).includes(lower) ? (lower as FileLabelSource) : null;
}
