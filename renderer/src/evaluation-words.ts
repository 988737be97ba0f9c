/**
 * A run's evaluation said in words for the Evaluate view: which checkpoint was evaluated and
 * why, what the split was, and how to name a warning. Pure.
 */
import type { EvaluationReport, EvaluationWarning, SplitDescription } from '../../shared/evaluation.js';

export const pct = (x: number | null | undefined) => (x == null ? '–' : `${(100 * x).toFixed(1)}%`);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "epoch 7 of 10, lowest validation loss". `epochs`: how many the run trained (early stopping may end it sooner). */
export function describeCheckpoint(report: Pick<EvaluationReport, 'epoch' | 'selectedBy'>, epochs: number | null): string {
  if (report.epoch === undefined) return 'the last epoch (the run is older than the record of which epoch was evaluated)';
  const of = epochs !== null && epochs >= report.epoch ? ` of ${epochs}` : '';
  const why = report.selectedBy === 'validation loss' ? 'lowest validation loss' : 'the last one (no validation split to choose by)';
  return `epoch ${report.epoch}${of}, ${why}`;
}

/** How many source folders have images both in the test set and in the training data. */
export function describeSharedFolders(shared: { shared: number; folders: number } | undefined): string | null {
  if (!shared || shared.folders === 0) return null;
  if (shared.shared === 0) return `no source folder has images on both sides (${plural(shared.folders, 'folder')})`;
  return `${shared.shared} of ${plural(shared.folders, 'source folder')} ${shared.shared === 1 ? 'has' : 'have'} images on both sides`;
}

/**
 * The split in words: "random split, stratified — 12 of 12 source folders have images on both
 * sides", "grouped by folder: 8 / 2 / 2 groups", "explicit test set: book = B7".
 */
export function describeSplit(split: SplitDescription | undefined): { kind: string; text: string; detail: string | null } {
  if (!split) return { kind: 'unknown', text: 'random split by image', detail: 'recorded before runs described their split' };
  const detail = describeSharedFolders(split.sharedFolders);
  if (split.kind === 'grouped') {
    const g = split.groups;
    const counts = g ? `: ${g.train} / ${g.validation} / ${g.test} groups (train / validation / test)` : '';
    return { kind: 'grouped', text: `grouped by ${split.groupBy ?? 'group'}${counts}`, detail };
  }
  if (split.kind === 'explicit') {
    const where = split.testWhere ? `: ${split.testWhere.target} = ${split.testWhere.value}` : '';
    return { kind: 'explicit', text: `explicit test set${where}`, detail };
  }
  return { kind: 'random', text: "random split, stratified by the first head's label", detail };
}

/** A warning's kind as a short heading. */
export const warningTitles: Record<EvaluationWarning['kind'], string> = {
  overfitting: 'Overfitting',
  chance: 'No better than chance',
  'few-examples': 'Few test examples',
  'empty-classes': 'Classes left out',
  'group-leak': 'Same sources in training and test',
};

/** Whether a head is, on average over its test images, more confident than accurate (overconfident) or less; null when about even. */
export function calibrationLean(bins: { count: number; confidence: number; accuracy: number }[]): 'overconfident' | 'underconfident' | null {
  const total = bins.reduce((a, b) => a + b.count, 0);
  if (total === 0) return null;
  const gap = bins.reduce((a, b) => a + b.count * (b.confidence - b.accuracy), 0) / total;
  return Math.abs(gap) < 0.02 ? null : gap > 0 ? 'overconfident' : 'underconfident';
}

/** What a Predict did, per target; with nothing to predict it says why rather than "Predicted 0 images: ." */
export function describePrediction(result: { images: number; written: Record<string, number> }): string {
  if (result.images === 0) return "Nothing to predict: every image has a human label for each of this run's targets.";
  const per = Object.entries(result.written).map(([target, n]) => `${target} ${n}`);
  return `Predicted ${plural(result.images, 'image')}${per.length > 0 ? `: ${per.join(', ')}` : ''}.`;
}

/**
 * The targets a run writes predictions for, read from its spec: a categorical or length head's
 * target, and a sequence through its position heads. Compare heads write none. Only these can be
 * reviewed least confident first; another target has no model label from this run.
 */
export function predictedTargets(spec: unknown): Set<string> {
  const heads = (spec as { heads?: unknown } | null)?.heads;
  if (!Array.isArray(heads)) return new Set();
  const names = heads.flatMap((h) => {
    const t = (h as { target?: { kind?: unknown; target?: unknown } } | null)?.target;
    return (t?.kind === 'target' || t?.kind === 'position') && typeof t.target === 'string' ? [t.target] : [];
  });
  return new Set(names);
}
