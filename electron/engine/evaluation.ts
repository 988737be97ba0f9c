/**
 * Evaluation of a trained model on a split: per head accuracy, per-class precision/recall,
 * the confusion matrix with the images behind every cell; for adversarial heads the chance
 * level next to the adversary's accuracy; for sequence targets (a length head plus digit
 * heads) whole-sequence accuracy and coverage at 98% accuracy (Goodfellow et al. 2013).
 */
import type { EvaluationReport, HeadReport, SequenceReport as SequenceEvaluation } from '../../shared/evaluation.js';
import type { TargetDef } from '../../shared/targets.js';
import type { MultiHeadModel } from './model.js';
import { predictProbabilities } from './train-step.js';
import { tf } from './tf.js';
import type { TrainData } from './train-data.js';

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

export function coverageAt(sorted: boolean[], target: number): number {
  let correct = 0;
  let best = 0;
  sorted.forEach((ok, i) => {
    if (ok) correct++;
    if (correct / (i + 1) >= target) best = (i + 1) / sorted.length;
  });
  return best;
}

/** Accuracy when the true class is among the k most probable, for k = 2 and 3 (where the head has more than k classes). */
function topKAccuracy(rows: { row: Float32Array; t: number }[], classes: number): { k: number; accuracy: number }[] {
  if (rows.length === 0) return [];
  return [2, 3]
    .filter((k) => classes > k)
    .map((k) => {
      const hits = rows.filter(({ row, t }) => row.filter((p) => p > row[t]!).length < k).length;
      return { k, accuracy: hits / rows.length };
    });
}

/** Ten equal-width confidence bins of the predicted class (empty bins left out) and the expected calibration error. */
function calibration(rows: { row: Float32Array; t: number }[]): NonNullable<HeadEvaluation['calibration']> {
  const bins = Array.from({ length: 10 }, (_, b) => ({ from: b / 10, to: (b + 1) / 10, count: 0, confidence: 0, accuracy: 0 }));
  for (const { row, t } of rows) {
    const p = row.indexOf(Math.max(...row));
    const bin = bins[Math.min(9, Math.floor(row[p]! * 10))]!;
    bin.count++;
    bin.confidence += row[p]!;
    bin.accuracy += p === t ? 1 : 0;
  }
  const used = bins.filter((b) => b.count > 0).map((b) => ({ ...b, confidence: b.confidence / b.count, accuracy: b.accuracy / b.count }));
  const ece = rows.length > 0 ? used.reduce((sum, b) => sum + (b.count / rows.length) * Math.abs(b.accuracy - b.confidence), 0) : 0;
  return { bins: used, ece };
}

/** `imageOf(i)`: the image shown for example i (its first input). */
export async function evaluate(
  model: MultiHeadModel,
  data: TrainData,
  imageOf: (i: number) => number,
  targets: TargetDef[] | null,
  batchSize = 64,
): Promise<Evaluation> {
  const heads = model.resolved;
  const probs: Record<string, Float32Array[]> = {};
  const labels: Record<string, { index: number[]; mask: number[] }> = {};
  for (const h of heads) {
    probs[h.spec.name] = [];
    labels[h.spec.name] = { index: [], mask: [] };
  }
  for (let from = 0; from < data.size; from += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, data.size - from) }, (_, i) => from + i);
    if (data.prepare) await data.prepare(indices);
    const batch = data.batch(indices, false);
    const p = await predictProbabilities(model, batch.inputs);
    tf.dispose(Object.values(batch.inputs));
    for (const h of heads) {
      const name = h.spec.name;
      const c = h.classes.length;
      indices.forEach((_, k) => probs[name]!.push(p[name]!.slice(k * c, (k + 1) * c)));
      labels[name]!.index.push(...batch.labels[name]!.index);
      labels[name]!.mask.push(...batch.labels[name]!.mask);
    }
  }
  const argmax = (row: Float32Array) => row.indexOf(Math.max(...row));
  const headEvals: HeadEvaluation[] = heads.map((h) => {
    const name = h.spec.name;
    const c = h.classes.length;
    const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
    const cells: ConfusionCell[] = [];
    let count = 0;
    let correct = 0;
    probs[name]!.forEach((row, i) => {
      if (labels[name]!.mask[i] === 0) return;
      const t = labels[name]!.index[i]!;
      const p = argmax(row);
      confusion[t]![p]!++;
      cells.push({ trueIndex: t, predIndex: p, imageId: imageOf(i), confidence: row[p]! });
      count++;
      if (t === p) correct++;
    });
    const perClass = h.classes.map((cls, k) => {
      const support = confusion[k]!.reduce((a, b) => a + b, 0);
      const predicted = confusion.reduce((a, r) => a + r[k]!, 0);
      return { name: cls, precision: predicted > 0 ? confusion[k]![k]! / predicted : null, recall: support > 0 ? confusion[k]![k]! / support : null, support };
    });
    const kept = probs[name]!.map((row, i) => ({ row, t: labels[name]!.index[i]! })).filter((_, i) => labels[name]!.mask[i] !== 0);
    const evaluation: HeadEvaluation = {
      head: name,
      classes: h.classes,
      count,
      accuracy: count > 0 ? correct / count : null,
      confusion,
      perClass,
      cells,
      topK: topKAccuracy(kept, c),
      calibration: calibration(kept),
    };
    if (h.spec.adversarial) evaluation.chance = count > 0 ? Math.max(...perClass.map((p) => p.support)) / count : 0;
    return evaluation;
  });

  // Sequences: a length head and the digit heads of the same sequence target, on the same input.
  const sequences: SequenceEvaluation[] = [];
  for (const seq of targets?.filter((t) => t.kind === 'sequence') ?? []) {
    const lengthTarget = targets!.find((t) => t.kind === 'length' && t.sourceTargetId === seq.id);
    const lengthHead = heads.find((h) => h.spec.target.kind === 'target' && h.spec.target.target === lengthTarget?.name);
    const digitHeads = heads
      .filter((h) => h.spec.target.kind === 'position' && h.spec.target.target === seq.name)
      .sort((a, b) => (a.spec.target as { position: number }).position - (b.spec.target as { position: number }).position);
    if (!lengthHead || digitHeads.length === 0) continue;
    const L = lengthHead.spec.name;
    const results: { ok: boolean; confidence: number }[] = [];
    probs[L]!.forEach((row, i) => {
      if (labels[L]!.mask[i] === 0) return;
      const trueLength = Number(lengthHead.classes[labels[L]!.index[i]!]);
      // Only sequences whose digits are all known and modelled count.
      if (!Number.isInteger(trueLength) || trueLength > digitHeads.length) return;
      if (digitHeads.slice(0, trueLength).some((d) => labels[d.spec.name]!.mask[i] === 0)) return;
      const predLengthIndex = argmax(row);
      let ok = predLengthIndex === labels[L]!.index[i];
      let confidence = row[predLengthIndex]!;
      const predLength = Number(lengthHead.classes[predLengthIndex]);
      const used = Number.isInteger(predLength) ? Math.min(predLength, digitHeads.length) : digitHeads.length;
      digitHeads.slice(0, used).forEach((d, k) => {
        const dRow = probs[d.spec.name]![i]!;
        const p = argmax(dRow);
        confidence *= dRow[p]!;
        if (k < trueLength && p !== labels[d.spec.name]!.index[i]) ok = false;
      });
      results.push({ ok, confidence });
    });
    const sorted = [...results].sort((a, b) => b.confidence - a.confidence).map((r) => r.ok);
    const curve: SequenceEvaluation['curve'] = [];
    let correct = 0;
    sorted.forEach((ok, i) => {
      if (ok) correct++;
      const step = Math.max(1, Math.floor(sorted.length / 50));
      if ((i + 1) % step === 0 || i === sorted.length - 1) curve.push({ coverage: (i + 1) / sorted.length, accuracy: correct / (i + 1) });
    });
    sequences.push({
      target: seq.name,
      lengthHead: L,
      digitHeads: digitHeads.map((d) => d.spec.name),
      count: results.length,
      accuracy: results.length > 0 ? results.filter((r) => r.ok).length / results.length : null,
      coverageAt98: coverageAt(sorted, 0.98),
      curve,
    });
  }
  return { count: data.size, heads: headEvals, sequences };
}
