import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ImportRejection } from '../../shared/imports.js';
import { HASH_COLUMN } from '../../shared/label-file.js';
import { KEY_COLUMNS, UNKNOWN_MARKERS } from '../../shared/names.js';

/** A cell value: a string value, null for "explicitly unknown". Absent or empty cells are "not looked at". */
export type CellValue = string | null;

export interface LabelRecord {
  /** "labels.csv line 4", for messages. */
  origin: string;
  /** The file name as the label file gives it ('/' separators); absent for labels that come with the image (IDX). */
  key?: string;
  /** The image's content hash, where a `sha256` column gives it (lower case). */
  sha256?: string | null;
  values: Map<string, CellValue>;
}

export interface LabelTable {
  /** Keyed by the file name exactly as the label file gives it (a relative path or a bare name). */
  records: Map<string, LabelRecord>;
  columns: Set<string>;
  problems: ImportRejection[];
}

export function emptyLabelTable(): LabelTable {
  return { records: new Map(), columns: new Set(), problems: [] };
}

function cell(raw: unknown): CellValue | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined;
  if (text === undefined || text === '') return undefined;
  return UNKNOWN_MARKERS.has(text.toLowerCase()) ? null : text;
}

function addRecord(table: LabelTable, origin: string, row: Record<string, unknown>, label: string): void {
  const keyColumn = KEY_COLUMNS.find((k) => Object.hasOwn(row, k));
  const key = keyColumn ? row[keyColumn] : undefined;
  if (typeof key !== 'string' || key.trim() === '') {
    table.problems.push({ item: origin, reason: `no file name (expected a column named ${KEY_COLUMNS.join(' / ')})` });
    return;
  }
  const values = new Map<string, CellValue>();
  const hash = cell(row[HASH_COLUMN]);
  for (const [column, raw] of Object.entries(row)) {
    if (column === keyColumn || column === HASH_COLUMN) continue;
    table.columns.add(column);
    const value = cell(raw);
    if (value !== undefined) values.set(column, value);
  }
  const normalized = key.trim().replaceAll('\\', '/');
  if (table.records.has(normalized)) {
    table.problems.push({ item: origin, reason: `${label}: '${normalized}' is labelled again; this later row wins` });
  }
  table.records.set(normalized, { origin, key: normalized, sha256: typeof hash === 'string' ? hash.toLowerCase() : null, values });
}

/** Reads a CSV (header row) or JSONL labels file into `table`. A malformed file is reported by name and line; the import goes on. */
export async function readLabelFile(file: string, table: LabelTable): Promise<void> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    table.problems.push({ item: name, reason: `cannot read: ${(error as Error).message}` });
    return;
  }
  if (/\.csv$/i.test(file)) {
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
    } catch (error) {
      table.problems.push({ item: name, reason: `not a valid CSV labels file: ${(error as Error).message}` });
      return;
    }
    if (rows.length > 0 && !KEY_COLUMNS.some((k) => Object.hasOwn(rows[0]!, k))) {
      table.problems.push({ item: name, reason: `no file-name column: the header must name one of ${KEY_COLUMNS.join(', ')}` });
      return;
    }
    rows.forEach((row, i) => addRecord(table, `${name} line ${i + 2}`, row, name));
    return;
  }
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const origin = `${name} line ${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      table.problems.push({ item: origin, reason: `not valid JSON: ${(error as Error).message}` });
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      table.problems.push({ item: origin, reason: 'expected a JSON object' });
      return;
    }
    addRecord(table, origin, row as Record<string, unknown>, name);
  });
}
