/**
 * Whole-sequence metrics of a sequence target (Goodfellow et al. 2013), accumulated batch by
 * batch (evaluation.ts): a sequence is right when its length head and every digit head up to
 * the true length are; its confidence is the product of the heads' confidences. Per example
 * only a flag and a confidence are kept, to rank by confidence for the coverage at 98%.
 */
import type { SequenceReport } from '../../shared/evaluation.js';
import { argmax } from './head-metrics.js';
import type { ResolvedHead } from './heads.js';
import type { HeadLabels } from './train-step.js';

/** The largest share of examples, most confident first, answered at ≥ `target` accuracy. */
export function coverageAt(sorted: boolean[], target: number): number {
  let correct = 0;
  let best = 0;
  sorted.forEach((ok, i) => {
    if (ok) correct++;
    if (correct / (i + 1) >= target) best = (i + 1) / sorted.length;
  });
  return best;
}

export class SequenceMetrics {
  private readonly ok: boolean[] = [];
  private readonly confidence: number[] = [];

  constructor(
    private readonly target: string,
    private readonly lengthHead: ResolvedHead,
    /** By position. */
    private readonly digitHeads: ResolvedHead[],
  ) {}

  /** A batch of `size` examples: every head's probabilities (size × classes) and labels. */
  addBatch(probabilities: Record<string, Float32Array>, labels: Record<string, HeadLabels>, size: number): void {
    const L = this.lengthHead.spec.name;
    const lengthClasses = this.lengthHead.classes;
    const digits = this.digitHeads.map((d) => ({ name: d.spec.name, c: d.classes.length }));
    for (let i = 0; i < size; i++) {
      if (labels[L]!.mask[i] === 0) continue;
      const trueLength = Number(lengthClasses[labels[L]!.index[i]!]);
      // Only sequences whose digits are all known and modelled count.
      if (!Number.isInteger(trueLength) || trueLength > digits.length) continue;
      if (digits.slice(0, trueLength).some((d) => labels[d.name]!.mask[i] === 0)) continue;
      const row = probabilities[L]!.subarray(i * lengthClasses.length, (i + 1) * lengthClasses.length);
      const predLengthIndex = argmax(row);
      let ok = predLengthIndex === labels[L]!.index[i];
      let confidence = row[predLengthIndex]!;
      const predLength = Number(lengthClasses[predLengthIndex]);
      const used = Number.isInteger(predLength) ? Math.min(predLength, digits.length) : digits.length;
      digits.slice(0, used).forEach((d, k) => {
        const dRow = probabilities[d.name]!.subarray(i * d.c, (i + 1) * d.c);
        const p = argmax(dRow);
        confidence *= dRow[p]!;
        if (k < trueLength && p !== labels[d.name]!.index[i]) ok = false;
      });
      this.ok.push(ok);
      this.confidence.push(confidence);
    }
  }

  report(): SequenceReport {
    const n = this.ok.length;
    const byConfidence = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.confidence[b]! - this.confidence[a]!);
    const sorted = byConfidence.map((i) => this.ok[i]!);
    const curve: SequenceReport['curve'] = [];
    const step = Math.max(1, Math.floor(n / 50));
    let correct = 0;
    sorted.forEach((ok, i) => {
      if (ok) correct++;
      if ((i + 1) % step === 0 || i === n - 1) curve.push({ coverage: (i + 1) / n, accuracy: correct / (i + 1) });
    });
    return {
      target: this.target,
      lengthHead: this.lengthHead.spec.name,
      digitHeads: this.digitHeads.map((d) => d.spec.name),
      count: n,
      accuracy: n > 0 ? correct / n : null,
      coverageAt98: coverageAt(sorted, 0.98),
      curve,
    };
  }
}
