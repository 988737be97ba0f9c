import { IMPORT_LIST_LIMIT, type ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';

export function emptySummary(): ImportSummary {
  return {
    imported: 0,
    duplicates: 0,
    rejected: [],
    rejectedTotal: 0,
    ignored: [],
    ignoredTotal: 0,
    labelsApplied: 0,
    labelProblems: [],
    labelProblemsTotal: 0,
    duplicateItems: [],
    createdClasses: [],
    elapsedMs: 0,
    stopped: null,
  };
}

/** Every class of every target, as 'target:class'. */
export function classKeys(store: Store): string[] {
  return store.targets.list().flatMap((t) => t.classes.map((c) => `${t.name}:${c.name}`));
}

/**
 * Counts every list entry, then keeps the first IMPORT_LIST_LIMIT of each: what a job, the
 * batch record and `imports.list` carry stays bounded whatever the folder held.
 */
export function boundSummary(summary: ImportSummary): void {
  summary.rejectedTotal = Math.max(summary.rejectedTotal, summary.rejected.length);
  summary.ignoredTotal = Math.max(summary.ignoredTotal, summary.ignored.length);
  summary.labelProblemsTotal = Math.max(summary.labelProblemsTotal, summary.labelProblems.length);
  summary.rejected = summary.rejected.slice(0, IMPORT_LIST_LIMIT);
  summary.ignored = summary.ignored.slice(0, IMPORT_LIST_LIMIT);
  summary.labelProblems = summary.labelProblems.slice(0, IMPORT_LIST_LIMIT);
  summary.duplicateItems = summary.duplicateItems.slice(0, IMPORT_LIST_LIMIT);
}

/** Fills in the classes the import created and its time, bounds its lists, and records the summary with the import batch. */
export function finishSummary(store: Store, batchId: number, summary: ImportSummary, classesBefore: Set<string>, started: number): void {
  summary.createdClasses = classKeys(store).filter((c) => !classesBefore.has(c));
  summary.elapsedMs = Math.round(performance.now() - started);
  boundSummary(summary);
  store.finishBatch(batchId, {
    imported: summary.imported,
    duplicates: summary.duplicates,
    rejected: summary.rejectedTotal,
    report: summary,
  });
}
