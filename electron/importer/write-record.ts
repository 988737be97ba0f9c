import type { ImportSummary } from '../../shared/imports.js';
import { DomainError } from '../../shared/errors.js';
import { FILE_LABEL_SOURCES, parseColumn, parseFileSource, type ColumnPart, type FileLabelSource } from '../../shared/label-file.js';
import type { LabelInput, LabelOrigin, TargetDef } from '../../shared/targets.js';
import { resolveLabel, writeLabel } from '../domain/labeling.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import type { Store } from '../store/store.js';
import type { CellValue, LabelRecord } from './labels.js';

/** One target's cell of a label record with its provenance columns (shared/label-file.ts). */
interface TargetCell {
  target: TargetDef;
  column: string;
  /** undefined: the record has only provenance columns for this target (nothing to write). */
  value: CellValue | undefined;
  /** null: the file does not say; a label file's label is then a human one, imported. */
  source: FileLabelSource | null;
  runId: number | null;
  confidence: number | null;
  /** A provenance column could not be read, or the value could not be written. */
  failed: boolean;
  /** The human label the image had before this record (onlyPending keeps it). */
  before: AnnotationRow | undefined;
  written: boolean;
}

const EXAMPLES = 5;
export const MAX_CLASSES_SUGGESTED = 50;

/** What a column naming no target holds: its first values, how many rows give one, every character, the longest value (for the command that creates it). */
export interface ColumnValues {
  values: Set<string>;
  rows: number;
  chars: Set<string>;
  longest: number;
}

/** Something that happens once per image and would flood the summary: counted, shown with a few examples. */
class Tally {
  count = 0;
  readonly examples: string[] = [];
  add(example: string): void {
    if (this.count++ < EXAMPLES) this.examples.push(example);
  }
  get sample(): string {
    return `${this.examples.join('; ')}${this.count > EXAMPLES ? '; …' : ''}`;
  }
}

const labelOf = (value: CellValue): LabelInput => (value === null ? { kind: 'unknown' } : { kind: 'value', value });
const rowValue = (row: AnnotationRow) => (row.state === 'unknown' ? null : (row.class_name ?? row.text_value));
const show = (value: CellValue) => (value === null ? 'unknown' : `'${value}'`);

/**
 * Writes the values of one label record to one image, exactly as the file gives them: a value
 * or unknown, from a person (imported, accepted from a run's suggestion, derived) or a model
 * (with its run and confidence). A person's label that the file calls typed ('human') is
 * 'imported' here: it arrives by an import, and the labeler and exports say so. `onlyPending` (images that were in the project before) never
 * changes a human label: a different one is counted and reported, not applied. Every problem
 * is reported by the record's origin and the rest goes on.
 */
export class RecordWriter {
  /** Columns naming no target, with the values seen in them. */
  readonly unknownColumns = new Map<string, ColumnValues>();
  private readonly keptExisting = new Tally();
  private readonly runs = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly summary: ImportSummary,
    /** Who imports: recorded with every label written. */
    private readonly author: string | null = null,
  ) {}

  /** Inside the caller's transaction. */
  write(imageId: number, record: LabelRecord, onlyPending: boolean, now: string): void {
    if (record.sha256) {
      const stored = this.store.images.get(imageId)?.sha256;
      if (stored !== undefined && stored !== record.sha256) {
        this.problem(
          record,
          `its sha256 ${record.sha256.slice(0, 12)}… is not the content hash of the image (${stored.slice(0, 12)}…): another image; its labels were not applied`,
        );
        return;
      }
    }
    const cells = this.cellsOf(imageId, record);
    // Lengths after their sequences: the sequence derives the length first, the file's length cell then says whether to keep it.
    const ordered = [...cells.values()].sort((a, b) => Number(a.target.kind === 'length') - Number(b.target.kind === 'length'));
    for (const cell of ordered) {
      if (cell.failed || cell.value === undefined) continue;
      try {
        this.writeCell(imageId, record, cell, cells, onlyPending, now);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        cell.failed = true;
        this.problem(record, error.message);
      }
    }
  }

  /** The problems counted over the whole import, as summary lines. */
  report(item: string): void {
    if (this.keptExisting.count > 0) {
      this.summary.labelProblems.push({
        item,
        reason: `${this.keptExisting.count} label(s) differ from the human label the image already has and were not applied (a labels file never overwrites a human label): ${this.keptExisting.sample}`,
      });
    }
    const foreign = [...this.runs].filter((id) => !this.store.runs.get(id)).sort((a, b) => a - b);
    if (foreign.length > 0) {
      this.summary.labelProblems.push({
        item,
        reason: `labels name run(s) ${foreign.join(', ')}, which this project does not have (accepted or predicted in another project); written as the file gives them`,
      });
    }
  }

  private problem(record: LabelRecord, reason: string): void {
    this.summary.labelProblems.push({ item: record.origin, reason });
  }

  private cellsOf(imageId: number, record: LabelRecord): Map<string, TargetCell> {
    const cells = new Map<string, TargetCell>();
    for (const [column, raw] of record.values) {
      const { target: name, part } = parseColumn(column);
      const target = this.store.targets.byName(name);
      if (!target) {
        this.noteUnknown(name, part === 'value' ? raw : null);
        continue;
      }
      let cell = cells.get(name);
      if (!cell) {
        const before = this.store.annotations.one(imageId, target.id, 'human');
        cell = { target, column: name, value: undefined, source: null, runId: null, confidence: null, failed: false, before, written: false };
        cells.set(name, cell);
      }
      if (part === 'value') cell.value = raw;
      else if (raw !== null) this.readProvenance(record, cell, column, part, raw);
    }
    return cells;
  }

  private noteUnknown(column: string, cell: CellValue): void {
    const seen = this.unknownColumns.get(column) ?? { values: new Set<string>(), rows: 0, chars: new Set<string>(), longest: 0 };
    if (cell !== null) {
      seen.rows++;
      if (seen.values.size <= MAX_CLASSES_SUGGESTED) seen.values.add(cell);
      for (const c of cell) seen.chars.add(c);
      seen.longest = Math.max(seen.longest, [...cell].length);
    }
    this.unknownColumns.set(column, seen);
  }

  private readProvenance(record: LabelRecord, cell: TargetCell, column: string, part: Exclude<ColumnPart, 'value'>, raw: string): void {
    if (part === 'source') {
      cell.source = parseFileSource(raw);
      if (cell.source === null) this.fail(record, cell, `${column} '${raw}' is not one of ${FILE_LABEL_SOURCES.join(', ')}`);
    } else if (part === 'run') {
      const id = Number(raw);
      if (Number.isInteger(id) && id > 0) cell.runId = id;
      else this.fail(record, cell, `${column} '${raw}' is not a run id`);
    } else {
      const confidence = Number(raw);
      if (raw !== '' && confidence >= 0 && confidence <= 1) cell.confidence = confidence;
      else this.fail(record, cell, `${column} '${raw}' is not a confidence between 0 and 1`);
    }
  }

  private fail(record: LabelRecord, cell: TargetCell, reason: string): void {
    cell.failed = true;
    this.problem(record, `${reason}; ${cell.column} was not applied`);
  }

  private writeCell(imageId: number, record: LabelRecord, cell: TargetCell, cells: Map<string, TargetCell>, onlyPending: boolean, now: string): void {
    const { store } = this;
    const { target, column } = cell;
    const value = cell.value!;
    const human = cell.before;
    if (cell.source === 'model') {
      if (human) return; // a prediction never sits under a human label (as `predict` writes them)
      const row = resolveLabel(store, target, labelOf(value), {
        source: 'model',
        runId: cell.runId,
        confidence: cell.confidence,
        createClasses: true,
        path: column,
        now,
        author: this.author,
      });
      store.annotations.upsert({ ...row, imageId });
      this.applied(cell);
      return;
    }
    if (onlyPending && human) {
      if (rowValue(human) !== value) this.keptExisting.add(`${record.origin}: ${column} ${show(value)} (the image has ${show(rowValue(human))})`);
      return;
    }
    const sequence = target.kind === 'length' ? [...cells.values()].find((c) => c.target.id === target.sourceTargetId) : undefined;
    if (sequence && sequence.value !== undefined && (cell.source === null || cell.source === 'derived')) {
      this.lengthWithSequence(imageId, record, cell, sequence, now);
      return;
    }
    const origin: LabelOrigin = cell.source === 'accepted' ? 'accepted' : cell.source === 'derived' ? 'derived' : 'imported';
    const accepted = origin === 'accepted';
    writeLabel(store, imageId, target, labelOf(value), {
      source: 'human',
      origin,
      runId: accepted ? cell.runId : null,
      confidence: accepted ? cell.confidence : null,
      createClasses: true,
      keepOwnLength: onlyPending,
      path: column,
      now,
      author: this.author,
    });
    this.applied(cell);
  }

  /**
   * A length whose sequence is in the same record, and which the file does not say was set on
   * its own: a known sequence has set it already (a different length is reported), an unknown
   * sequence leaves it to the length cell.
   */
  private lengthWithSequence(imageId: number, record: LabelRecord, cell: TargetCell, sequence: TargetCell, now: string): void {
    if (sequence.failed || (!sequence.written && sequence.value !== null)) return;
    if (sequence.value === null) {
      writeLabel(this.store, imageId, cell.target, labelOf(cell.value!), {
        source: 'human',
        origin: cell.source === 'derived' ? 'derived' : 'imported',
        path: cell.column,
        now,
        author: this.author,
      });
      this.applied(cell);
      return;
    }
    const derived = this.store.annotations.one(imageId, cell.target.id, 'human');
    const kept = derived ? rowValue(derived) : null;
    if (cell.value !== kept) {
      this.problem(
        record,
        `${cell.column} ${show(cell.value!)} disagrees with ${sequence.column} '${sequence.value}'; kept the length of the ${sequence.column} (${kept})`,
      );
    }
  }

  private applied(cell: TargetCell): void {
    cell.written = true;
    this.summary.labelsApplied++;
    if (cell.runId !== null && (cell.source === 'model' || cell.source === 'accepted')) this.runs.add(cell.runId);
  }
}
