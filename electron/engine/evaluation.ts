/**
 * Evaluation of a trained model on a split: per head accuracy, per-class precision/recall,
 * the confusion matrix with the images behind every cell; for adversarial heads the chance
 * level next to the adversary's accuracy; for sequence targets (a length head plus digit
 * heads) whole-sequence accuracy and coverage at 98% accuracy (Goodfellow et al. 2013).
 * The metrics themselves: head-metrics.ts, sequence-metrics.ts.
 */
import type { EvaluationReport, HeadReport } from '../../shared/evaluation.js';
import type { TargetDef } from '../../shared/targets.js';
import { HeadMetrics } from './head-metrics.js';
import type { ResolvedHead } from './heads.js';
import type { MultiHeadModel } from './model.js';
import { SequenceMetrics } from './sequence-metrics.js';
import { predictProbabilities } from './train-step.js';
import { tf } from './tf.js';
import type { TrainData } from './train-data.js';

export { coverageAt } from './sequence-metrics.js';

export interface ConfusionCell {
  trueIndex: number;
  predIndex: number;
  imageId: number;
  confidence: number;
}

export interface HeadEvaluation extends HeadReport {
  cells: ConfusionCell[];
}

export interface Evaluation extends Omit<EvaluationReport, 'heads'> {
  heads: HeadEvaluation[];
}

/**
 * Evaluates `data` batch by batch: every head's metrics and every sequence's are accumulated as
 * each batch is predicted, and the batch's probabilities dropped. `imageOf(i)`: the image shown
 * for example i (its first input).
 */
export async function evaluate(
  model: MultiHeadModel,
  data: TrainData,
  imageOf: (i: number) => number,
  targets: TargetDef[] | null,
  batchSize = 64,
): Promise<Evaluation> {
  const heads = model.resolved;
  const metrics = heads.map((h) => new HeadMetrics(h));
  const sequences = sequenceMetrics(heads, targets);
  for (let from = 0; from < data.size; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.size - from) }, (_, i) => from + i);
    if (data.prepare) await data.prepare(indices);
    const batch = data.batch(indices, false);
    const p = await predictProbabilities(model, batch.inputs);
    tf.dispose(Object.values(batch.inputs));
    heads.forEach((h, j) => {
      const c = h.classes.length;
      const { index, mask } = batch.labels[h.spec.name]!;
      for (let k = 0; k < indices.length; k++) if (mask[k] !== 0) metrics[j]!.add(p[h.spec.name]!.subarray(k * c, (k + 1) * c), index[k]!, imageOf(from + k));
    });
    for (const s of sequences) s.addBatch(p, batch.labels, indices.length);
  }
  return { count: data.size, heads: metrics.map((m) => m.report()), sequences: sequences.map((s) => s.report()) };
}

/** Sequences: a length head and the digit heads of the same sequence target. */
function sequenceMetrics(heads: ResolvedHead[], targets: TargetDef[] | null): SequenceMetrics[] {
  const out: SequenceMetrics[] = [];
  for (const seq of targets?.filter((t) => t.kind === 'sequence') ?? []) {
    const lengthTarget = targets!.find((t) => t.kind === 'length' && t.sourceTargetId === seq.id);
    const lengthHead = heads.find((h) => h.spec.target.kind === 'target' && h.spec.target.target === lengthTarget?.name);
    const digitHeads = heads
      .filter((h) => h.spec.target.kind === 'position' && h.spec.target.target === seq.name)
      .sort((a, b) => (a.spec.target as { position: number }).position - (b.spec.target as { position: number }).position);
    if (lengthHead && digitHeads.length > 0) out.push(new SequenceMetrics(seq.name, lengthHead, digitHeads));
  }
  return out;
}
