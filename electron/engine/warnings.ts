/**
 * Where a run's numbers cannot be taken at face value, said next to them: a model that fits
 * its training images far better than new ones, a head no better than always answering the
 * most frequent class, classes with too few test examples to measure, and classes left out
 * of a head because nobody used them.
 */
import type { EvaluationWarning, HeadReport, SplitDescription } from '../../shared/evaluation.js';
import type { TargetDef } from '../../shared/targets.js';
import type { ResolvedHead } from './heads.js';
import type { HeadMetrics } from './train-loop.js';

/** Training accuracy this far above validation accuracy is called overfitting. */
export const OVERFIT_GAP = 0.15;
/** A class with fewer test examples than this has a precision and recall that say little. */
export const FEW_TEST_EXAMPLES = 10;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function majorityShare(head: Pick<HeadReport, 'confusion'>): number {
  const rows = head.confusion.map((r) => r.reduce((a, b) => a + b, 0));
  const total = rows.reduce((a, b) => a + b, 0);
  return total > 0 ? Math.max(...rows) / total : 0;
}

export interface WarningInput {
  heads: HeadReport[];
  resolved: ResolvedHead[];
  /** Per head, at the evaluated epoch. */
  train?: Record<string, HeadMetrics>;
  validation?: Record<string, HeadMetrics>;
  /** The targets the run trained with, and the project's. */
  runTargets: TargetDef[];
  projectTargets: TargetDef[];
  split?: SplitDescription;
}

/** A random split over images from several folders puts the same sources on both sides: say so, and how to avoid it. */
function splitWarning(split: SplitDescription | undefined): EvaluationWarning | null {
  const shared = split?.sharedFolders;
  if (!shared || shared.shared === 0 || shared.folders < 3) return null;
  const classes = shared.classesOf ?? [];
  // Where the folders are a target's classes, grouping by folder would put whole classes on one side: not advice to give.
  const fix =
    classes.length > 0
      ? `; the folders are the classes of ${classes.map((t) => `'${t}'`).join(', ')} (each holds one class), so a split grouped by folder is not possible for ${classes.length === 1 ? 'that target' : 'those targets'}`
      : split!.kind === 'random'
        ? "; if a folder is one source (a page, a writer, a photo), split by it: training.split.groupBy 'folder'"
        : '';
  return {
    head: null,
    kind: 'group-leak',
    message: `${shared.shared} of ${shared.folders} source folders have images in both the test set and the training data: test accuracy may be optimistic${fix}`,
  };
}

export function runWarnings(input: WarningInput): EvaluationWarning[] {
  const warnings: EvaluationWarning[] = [];
  const leak = splitWarning(input.split);
  if (leak) warnings.push(leak);
  for (const head of input.heads) {
    const resolved = input.resolved.find((r) => r.spec.name === head.head);
    const adversarial = Boolean(resolved?.spec.adversarial);
    const trainAcc = input.train?.[head.head]?.accuracy;
    const valAcc = input.validation?.[head.head]?.accuracy;
    if (!adversarial && trainAcc != null && valAcc != null && trainAcc - valAcc > OVERFIT_GAP) {
      warnings.push({
        head: head.head,
        kind: 'overfitting',
        message: `training accuracy ${pct(trainAcc)} vs validation ${pct(valAcc)}: the model fits its training images far better than new ones`,
      });
    }
    const chance = majorityShare(head);
    if (!adversarial && head.accuracy !== null && head.count > 0 && head.accuracy <= chance + 0.02) {
      warnings.push({
        head: head.head,
        kind: 'chance',
        // The share of the test set's own most frequent class: the best any one constant answer scores on it (an upper bound, so the warning errs on the side of saying it).
        message: `test accuracy ${pct(head.accuracy)} is no better than giving one answer to every image (the test set's most frequent class is ${pct(chance)} of it)`,
      });
    }
    const few = head.perClass.filter((c) => c.support > 0 && c.support < FEW_TEST_EXAMPLES);
    if (few.length > 0) {
      warnings.push({
        head: head.head,
        kind: 'few-examples',
        message:
          few.length <= 4
            ? `${few.map((c) => `'${c.name}' (${c.support})`).join(', ')}: fewer than ${FEW_TEST_EXAMPLES} test examples, so their precision and recall are noisy`
            : `${few.length} of ${head.classes.length} classes have fewer than ${FEW_TEST_EXAMPLES} test examples (as few as ${Math.min(...few.map((c) => c.support))}), so their precision and recall are noisy`,
      });
    }
    const targetName = resolved?.spec.target.kind === 'target' ? resolved.spec.target.target : null;
    const project = input.projectTargets.find((t) => t.name === targetName);
    const run = input.runTargets.find((t) => t.name === targetName);
    if (project && run && project.kind === 'categorical') {
      const left = project.classes.filter((c) => !run.classes.some((r) => r.name === c.name)).map((c) => c.name);
      if (left.length > 0) {
        warnings.push({
          head: head.head,
          kind: 'empty-classes',
          message: `classes nobody had labeled when the run started were left out of this head: ${left.join(', ')}`,
        });
      }
    }
  }
  return warnings;
}
