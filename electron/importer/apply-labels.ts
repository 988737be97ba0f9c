import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';
import type { DuplicateLabels } from './import-images.js';
import { emptyLabelTable, readLabelFile, type LabelRecord, type LabelTable } from './labels.js';
import { StoredImages } from './match-stored.js';
import { targetAdvice } from './target-advice.js';
import { RecordWriter } from './write-record.js';

/** Records matched to images already in the project are written in transactions of this many. */
const STORED_BATCH = 500;
const EXAMPLES = 5;

/**
 * The label files of an import: finds the record for each image of the import by its file
 * name, and for the records left over the image already in the project they name (a labels
 * file imported alone); writes them through RecordWriter, with the sources the file gives.
 * A value that cannot be written is a label problem (by line of the label file) and the
 * import goes on.
 */
export class ImportLabels {
  private readonly usedKeys = new Set<string>();
  private readonly writer: RecordWriter;

  private constructor(
    private readonly store: Store,
    private readonly summary: ImportSummary,
    private readonly labelFiles: string[],
    private readonly table: LabelTable,
    author: string | null,
  ) {
    this.writer = new RecordWriter(store, summary, author);
  }

  /** Reads the label files (CSV/JSONL); their problems go to the summary. */
  static async read(labelFiles: string[], store: Store, summary: ImportSummary, author: string | null = null): Promise<ImportLabels> {
    const table = emptyLabelTable();
    for (const file of labelFiles) await readLabelFile(file, table);
    summary.labelProblems.push(...table.problems);
    return new ImportLabels(store, summary, labelFiles, table, author);
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

  /**
   * Claims the records of every image file this import found, before any is loaded: a file
   * that turns out unreadable keeps its record to itself instead of lending it to an image
   * of the project with the same name.
   */
  claim(relatives: string[]): void {
    for (const relative of relatives) this.labelsFor(relative);
  }

  /** Writes a record's values to an image, inside the caller's transaction; `onlyPending` keeps existing human labels. */
  apply(imageId: number, record: LabelRecord, onlyPending: boolean, now: string): void {
    this.writer.write(imageId, record, onlyPending, now);
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

  /**
   * The records no image of this import used, onto the images already in the project that they
   * name (StoredImages: hash, relative path, absolute path, unique file name). Like duplicates,
   * they fill only what has no human label yet. Ambiguous names are reported, not guessed.
   */
  applyToStored(): void {
    const left = [...this.table.records.entries()].filter(([key]) => !this.usedKeys.has(key));
    if (left.length === 0) return;
    const index = StoredImages.load(this.store);
    const ambiguous: string[] = [];
    const now = new Date().toISOString();
    for (let start = 0; start < left.length; start += STORED_BATCH) {
      this.store.write(() => {
        for (const [key, record] of left.slice(start, start + STORED_BATCH)) {
          const match = index.match(key, record.sha256);
          if ('unmatched' in match) continue;
          this.usedKeys.add(key);
          if ('ambiguous' in match) ambiguous.push(`${record.origin}: ${match.ambiguous}`);
          else this.apply(match.imageId, record, true, now);
        }
      });
    }
    if (ambiguous.length > 0) {
      this.summary.labelProblems.push({
        item: this.fileNames(),
        reason: `${ambiguous.length} row(s) name a file ambiguously and were not applied (give the path relative to the folder imported, or a sha256 column): ${ambiguous.slice(0, EXAMPLES).join('; ')}${ambiguous.length > EXAMPLES ? '; …' : ''}`,
      });
    }
  }

  /**
   * Adds the columns that name no target (with the command that creates it), the records that
   * matched no image, and the writer's tallies to the label problems.
   */
  reportProblems(dataDir = 'DIR'): void {
    const { summary, labelFiles } = this;
    for (const [column, advice] of targetAdvice(this.writer.unknownColumns, dataDir)) {
      summary.labelProblems.push({ item: `column '${column}'`, reason: `no target named '${column}' in this project; the column was ignored. ${advice}` });
    }
    const unmatched = [...this.table.records.keys()].filter((k) => !this.usedKeys.has(k));
    if (unmatched.length > 0 && labelFiles.length > 0) {
      const sample = unmatched.slice(0, EXAMPLES).join(', ');
      summary.labelProblems.push({
        item: this.fileNames(),
        reason: `${unmatched.length} labelled file name(s) matched no image of this import or of the project (${sample}${unmatched.length > EXAMPLES ? ', …' : ''})`,
      });
    }
    if (labelFiles.length > 0) this.writer.report(this.fileNames());
  }

  private fileNames(): string {
    return this.labelFiles.map((f) => path.basename(f)).join(', ');
  }
}
