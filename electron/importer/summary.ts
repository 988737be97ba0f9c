import type { ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';

export function emptySummary(): ImportSummary {
  return {
    imported: 0,
    duplicates: 0,
    rejected: [],
    ignored: [],
    labelsApplied: 0,
    labelProblems: [],
    createdClasses: [],
    elapsedMs: 0,
  };
}

/** Every class of every target, as 'target:class'. */
export function classKeys(store: Store): string[] {
  return store.targets.list().flatMap((t) => t.classes.map((c) => `${t.name}:${c.name}`));
}

/** Fills in the classes the import created and its time, and records the summary with the import batch. */
export function finishSummary(store: Store, batchId: number, summary: ImportSummary, classesBefore: Set<string>, started: number): void {
  summary.createdClasses = classKeys(store).filter((c) => !classesBefore.has(c));
  summary.elapsedMs = Math.round(performance.now() - started);
  store.finishBatch(batchId, {
    imported: summary.imported,
    duplicates: summary.duplicates,
    rejected: summary.rejected.length,
    report: summary,
  });
}
