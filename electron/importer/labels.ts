import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportRejection } from '../../shared/imports.js';
import { HASH_COLUMN } from '../../shared/label-file.js';
import { KEY_COLUMNS, UNKNOWN_MARKERS } from '../../shared/names.js';
import { parseCsvRows } from './csv-rows.js';

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

/** Keys that name an object's inner workings, never a target: reported and ignored. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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

/** A record from (column, raw value) pairs; values that cannot be labels and forbidden keys are reported, not dropped silently. */
function addRecord(table: LabelTable, origin: string, entries: [string, unknown][], label: string): void {
  const keyEntry = KEY_COLUMNS.map((k) => entries.find(([column]) => column === k)).find((e) => e !== undefined);
  const key = keyEntry?.[1];
  if (typeof key !== 'string' || key.trim() === '') {
    table.problems.push({ item: origin, reason: `no file name (expected a column named ${KEY_COLUMNS.join(' / ')})` });
    return;
  }
  const values = new Map<string, CellValue>();
  const hash = cell(entries.find(([column]) => column === HASH_COLUMN)?.[1]);
  for (const [column, raw] of entries) {
    if (column === keyEntry![0] || column === HASH_COLUMN) continue;
    if (FORBIDDEN_KEYS.has(column)) {
      table.problems.push({ item: origin, reason: `'${column}' cannot name a target; ignored` });
      continue;
    }
    table.columns.add(column);
    if (raw !== null && typeof raw === 'object') {
      table.problems.push({
        item: origin,
        reason: `${column}: ${Array.isArray(raw) ? 'a list' : 'an object'} is not a label value (give a string, a number, or null for unknown); ignored`,
      });
      continue;
    }
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
    readCsv(name, text, table);
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
    addRecord(table, origin, Object.entries(row), name);
  });
}

function readCsv(name: string, text: string, table: LabelTable): void {
  const { header, rows, problems } = parseCsvRows(name, text);
  table.problems.push(...problems);
  if (header.length === 0) return;
  const repeated = header.filter((column, i) => header.indexOf(column) !== i);
  if (repeated.length > 0) {
    table.problems.push({
      item: name,
      reason: `the header names ${[...new Set(repeated)].map((c) => `'${c}'`).join(', ')} more than once: which one holds the labels is unclear; the file was not read`,
    });
    return;
  }
  if (!KEY_COLUMNS.some((k) => header.includes(k))) {
    table.problems.push({ item: name, reason: `no file-name column: the header must name one of ${KEY_COLUMNS.join(', ')}` });
    return;
  }
  for (const { line, cells } of rows)
    addRecord(
      table,
      `${name} line ${line}`,
      header.map((column, i) => [column, cells[i]]),
      name,
    );
}
