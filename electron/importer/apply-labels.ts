import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import type { LabelInput, TargetDef } from '../../shared/targets.js';
import { DomainError } from '../../shared/errors.js';
import { writeLabel } from '../domain/labeling.js';
import type { Store } from '../store/store.js';
import type { DuplicateLabels } from './import-images.js';
import { emptyLabelTable, readLabelFile, type CellValue, type LabelRecord, type LabelTable } from './labels.js';

/**
 * The label files of an import: finds the record for each image by its file name and writes
 * its values through writeLabel, as human labels. A value that cannot be written is a label
 * problem (by line of the label file) and the import goes on.
 */
export class ImportLabels {
  private readonly usedKeys = new Set<string>();
  /** Columns naming no target, with the values seen in them (for the command that creates it). */
  private readonly unknownColumns = new Map<string, ColumnValues>();

  private constructor(
    private readonly store: Store,
    private readonly summary: ImportSummary,
    private readonly labelFiles: string[],
    private readonly table: LabelTable,
  ) {}

  /** Reads the label files (CSV/JSONL); their problems go to the summary. */
  static async read(labelFiles: string[], store: Store, summary: ImportSummary): Promise<ImportLabels> {
    const table = emptyLabelTable();
    for (const file of labelFiles) await readLabelFile(file, table);
    summary.labelProblems.push(...table.problems);
    return new ImportLabels(store, summary, labelFiles, table);
  }

  /** The record for an image: by its path relative to the folder imported, else by its bare file name. */
  labelsFor(relative: string): LabelRecord | null {
    for (const key of [relative, path.posix.basename(relative)]) {
      const record = this.table.records.get(key);
      if (record) {
        this.usedKeys.add(key);
        return record;
      }
    }
    return null;
  }

  /** Writes a record's values to an image, inside the caller's transaction; `onlyPending` keeps existing human labels. */
  apply(imageId: number, record: LabelRecord, onlyPending: boolean, now: string): void {
    const { store, summary } = this;
    const targets = store.targets;
    for (const [column, cell] of record.values) {
      const target = targets.byName(column);
      if (!target) {
        const seen = this.unknownColumns.get(column) ?? { values: new Set<string>(), chars: new Set<string>(), longest: 0 };
        if (cell !== null) {
          if (seen.values.size <= MAX_CLASSES_SUGGESTED) seen.values.add(cell);
          for (const c of cell) seen.chars.add(c);
          seen.longest = Math.max(seen.longest, [...cell].length);
        }
        this.unknownColumns.set(column, seen);
        continue;
      }
      if (onlyPending && store.annotations.one(imageId, target.id, 'human')) continue;
      if (target.kind === 'length' && record.values.has(sourceName(targets.list(), target))) continue; // written with its sequence
      try {
        writeLabel(store, imageId, target, toLabel(cell), { source: 'human', createClasses: true, path: column, now });
        summary.labelsApplied++;
        if (target.kind === 'sequence') this.applyLength(imageId, target, record, column, cell, now);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        summary.labelProblems.push({ item: record.origin, reason: error.message });
      }
    }
  }

  /**
   * The length that goes with a sequence value: a known value sets it (writeLabel), and a
   * 'length' column that disagrees is reported; an unknown value takes the 'length' column.
   */
  private applyLength(imageId: number, target: TargetDef, record: LabelRecord, column: string, cell: CellValue, now: string): void {
    const { store } = this;
    const explicitLength = record.values.get('length');
    if (cell !== null) {
      const lengthTarget = store.targets.lengthOf(target.id);
      if (lengthTarget && explicitLength !== undefined) {
        const derived = store.annotations.one(imageId, lengthTarget.id, 'human')?.class_name ?? null;
        if (explicitLength !== derived) {
          this.summary.labelProblems.push({
            item: record.origin,
            reason: `length '${explicitLength ?? 'unknown'}' disagrees with ${column} '${cell}'; kept the length of the ${column} (${derived})`,
          });
        }
      }
    } else if (explicitLength !== undefined) {
      const lengthTarget = store.targets.lengthOf(target.id);
      if (lengthTarget) writeLabel(store, imageId, lengthTarget, toLabel(explicitLength), { source: 'human', path: 'length', now });
    }
  }

  /** Labels of duplicates, applied in one transaction after the import: they fill only what has no human label yet. */
  applyToDuplicates(duplicates: DuplicateLabels[]): void {
    if (duplicates.length === 0) return;
    const { store } = this;
    const now = new Date().toISOString();
    store.write(() => {
      for (const d of duplicates) {
        const imageId = typeof d.imageId === 'number' ? d.imageId : store.images.idByHash(d.imageId);
        if (imageId !== undefined) this.apply(imageId, d.labels, true, now);
      }
    });
  }

  /** Adds the columns that name no target (with the command that creates it) and the labelled file names that matched no image to the label problems. */
  reportProblems(dataDir = 'DIR'): void {
    const { summary, labelFiles } = this;
    for (const [column, values] of this.unknownColumns) {
      summary.labelProblems.push({
        item: `column '${column}'`,
        reason: `no target named '${column}' in this project; the column was ignored. Create it, then import again: ${createTargetCommand(column, values, dataDir)}`,
      });
    }
    const unmatched = [...this.table.records.keys()].filter((k) => !this.usedKeys.has(k));
    if (unmatched.length > 0 && labelFiles.length > 0) {
      const sample = unmatched.slice(0, 5).join(', ');
      summary.labelProblems.push({
        item: labelFiles.map((f) => path.basename(f)).join(', '),
        reason: `${unmatched.length} labelled file name(s) matched no image of this import (${sample}${unmatched.length > 5 ? ', …' : ''})`,
      });
    }
  }
}

const MAX_CLASSES_SUGGESTED = 50;

/** What a column naming no target holds: its first values, every character, the longest value. */
interface ColumnValues {
  values: Set<string>;
  chars: Set<string>;
  longest: number;
}

/** The command that creates a target for a column: categorical with the values seen, or a sequence when they are too many to be classes. */
function createTargetCommand(column: string, seen: ColumnValues, dataDir: string): string {
  const quote = (s: string) => (/^[\w.,/:=+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  const data = `--data ${quote(dataDir)}`;
  if (seen.values.size <= MAX_CLASSES_SUGGESTED) return `polyhead targets add ${quote(column)} --classes ${quote([...seen.values].join(','))} ${data}`;
  const alphabet = [...seen.chars].sort().join('');
  return `polyhead targets add ${quote(column)} --alphabet ${quote(alphabet)} --max-length ${Math.min(Math.max(seen.longest, 1), 64)} ${data}`;
}

function toLabel(cell: CellValue): LabelInput {
  return cell === null ? { kind: 'unknown' } : { kind: 'value', value: cell };
}

function sourceName(targets: TargetDef[], lengthTarget: TargetDef): string {
  return targets.find((t) => t.id === lengthTarget.sourceTargetId)?.name ?? '';
}
