/**
 * One head's test-split metrics, accumulated batch by batch (evaluation.ts): the confusion
 * matrix with the image behind every cell, top-k hits and the confidence bins of a reliability
 * diagram. Only counts are kept, never a row of probabilities per example, so the memory of an
 * evaluation does not grow with the test set beyond its cells (issue 15).
 */
import type { ConfusionCell, HeadEvaluation } from './evaluation.js';
import type { ResolvedHead } from './heads.js';

/** The index of the largest value (the first of equal ones). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k]! > row[best]!) best = k;
  return best;
}

/** Top-k accuracy is reported for these k, where the head has more than k classes. */
const TOP_K = [2, 3];
const BINS = 10;

export class HeadMetrics {
  private readonly confusion: number[][];
  private readonly cells: ConfusionCell[] = [];
  private count = 0;
  private correct = 0;
  private readonly topKHits: { k: number; hits: number }[];
  private readonly bins = Array.from({ length: BINS }, (_, b) => ({ from: b / BINS, to: (b + 1) / BINS, count: 0, confidence: 0, accuracy: 0 }));

  constructor(private readonly head: ResolvedHead) {
    const c = head.classes.length;
    this.confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
    this.topKHits = TOP_K.filter((k) => c > k).map((k) => ({ k, hits: 0 }));
  }

  /** One labelled example: its probability row, true class and image. */
  add(row: Float32Array, t: number, imageId: number): void {
    const p = argmax(row);
    this.confusion[t]![p]!++;
    this.cells.push({ trueIndex: t, predIndex: p, imageId, confidence: row[p]! });
    this.count++;
    if (p === t) this.correct++;
    let above = 0; // classes more probable than the true one
    for (let k = 0; k < row.length; k++) if (row[k]! > row[t]!) above++;
    for (const top of this.topKHits) if (above < top.k) top.hits++;
    const bin = this.bins[Math.min(BINS - 1, Math.floor(row[p]! * BINS))]!;
    bin.count++;
    bin.confidence += row[p]!;
    bin.accuracy += p === t ? 1 : 0;
  }

  report(): HeadEvaluation {
    const { head, confusion, count } = this;
    const perClass = head.classes.map((name, k) => {
      const support = confusion[k]!.reduce((a, b) => a + b, 0);
      const predicted = confusion.reduce((a, r) => a + r[k]!, 0);
      return { name, precision: predicted > 0 ? confusion[k]![k]! / predicted : null, recall: support > 0 ? confusion[k]![k]! / support : null, support };
    });
    const used = this.bins.filter((b) => b.count > 0).map((b) => ({ ...b, confidence: b.confidence / b.count, accuracy: b.accuracy / b.count }));
    const ece = count > 0 ? used.reduce((sum, b) => sum + (b.count / count) * Math.abs(b.accuracy - b.confidence), 0) : 0;
    const evaluation: HeadEvaluation = {
      head: head.spec.name,
      classes: head.classes,
      count,
      accuracy: count > 0 ? this.correct / count : null,
      confusion,
      perClass,
      cells: this.cells,
      topK: count > 0 ? this.topKHits.map(({ k, hits }) => ({ k, accuracy: hits / count })) : [],
      calibration: { bins: used, ece },
    };
    if (head.spec.adversarial) evaluation.chance = count > 0 ? Math.max(...perClass.map((p) => p.support)) / count : 0;
    return evaluation;
  }
}
