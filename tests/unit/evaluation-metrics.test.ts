/**
 * The test-split evaluation against a brute-force reference: a fake model whose logits per
 * example are fixed, so every number of the report (confusion, cells, top-k, calibration,
 * adversarial chance, whole-sequence accuracy and coverage) can be recomputed here from the
 * softmaxed rows. It pins the report while the evaluation reads its batches one at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TargetDef } from '../../shared/targets.js';
import { evaluate } from '../../electron/engine/evaluation.js';
import type { ResolvedHead } from '../../electron/engine/heads.js';
import type { MultiHeadModel } from '../../electron/engine/model.js';
import { seededRandom } from '../../electron/engine/sampling.js';
import { tf } from '../../electron/engine/tf.js';
import type { TrainData } from '../../electron/engine/train-data.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 203; // not a multiple of the batch size
const head = (name: string, classes: string[], target: ResolvedHead['spec']['target'], adversarial = false): ResolvedHead =>
  ({ spec: { name, target, ...(adversarial ? { adversarial: { lambda: 1 } } : {}) }, classes, inputs: ['x'] }) as ResolvedHead;
const heads = [
  head('length', ['0', '1', '2', '3', '>5'], { kind: 'target', target: 'length' }),
  head('d0', ['0', '1', '2', '3'], { kind: 'position', target: 'digits', position: 0 }),
  head('d1', ['0', '1', '2', '3'], { kind: 'position', target: 'digits', position: 1 }),
  head('font', ['serif', 'sans', 'mono', 'script', 'bold'], { kind: 'target', target: 'font' }, true),
];
const targets = [
  { id: 1, kind: 'sequence', name: 'digits' },
  { id: 2, kind: 'length', name: 'length', sourceTargetId: 1 },
  { id: 3, kind: 'categorical', name: 'font' },
] as unknown as TargetDef[];

const random = seededRandom(42);
/** Per head: logits and the label (-1: masked) of every example. */
const logits = new Map(heads.map((h) => [h.spec.name, Array.from({ length: N }, () => h.classes.map(() => random() * 4 - 2))]));
const truth = new Map(heads.map((h) => [h.spec.name, Array.from({ length: N }, () => (random() < 0.2 ? -1 : Math.floor(random() * h.classes.length)))]));

const model = {
  resolved: heads,
  forward: (inputs: Record<string, tf.Tensor>) => {
    const rows = Array.from(inputs.x!.dataSync());
    return Object.fromEntries(heads.map((h) => [h.spec.name, tf.tensor2d(rows.map((i) => logits.get(h.spec.name)![i]!))]));
  },
} as unknown as MultiHeadModel;

const data: TrainData = {
  size: N,
  batch: (indices) => ({
    inputs: { x: tf.tensor1d(indices, 'int32') as unknown as tf.Tensor4D }, // the fake model reads the example indices back
    labels: Object.fromEntries(
      heads.map((h) => {
        const t = indices.map((i) => truth.get(h.spec.name)![i]!);
        return [h.spec.name, { index: Int32Array.from(t, (v) => Math.max(0, v)), mask: Float32Array.from(t, (v) => (v >= 0 ? 1 : 0)) }];
      }),
    ),
  }),
};

const softmax = (z: number[]) => {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const argmax = (row: number[]) => row.indexOf(Math.max(...row));
const probs = (name: string, i: number) => softmax(logits.get(name)![i]!);
const kept = (name: string) => Array.from({ length: N }, (_, i) => i).filter((i) => truth.get(name)![i]! >= 0);

describe('evaluation of a test split', () => {
  it('reports every head as a brute-force recount of its rows does', async () => {
    const report = await evaluate(model, data, (i) => 1000 + i, targets, 16);
    expect(report.count).toBe(N);
    for (const h of heads) {
      const name = h.spec.name;
      const got = report.heads.find((r) => r.head === name)!;
      const rows = kept(name);
      const c = h.classes.length;
      const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
      for (const i of rows) confusion[truth.get(name)![i]!]![argmax(probs(name, i))]!++;
      expect(got.count).toBe(rows.length);
      expect(got.confusion).toEqual(confusion);
      expect(got.accuracy).toBeCloseTo(rows.filter((i) => argmax(probs(name, i)) === truth.get(name)![i]).length / rows.length, 12);
      expect(got.cells.map((cell) => [cell.imageId, cell.trueIndex, cell.predIndex])).toEqual(
        rows.map((i) => [1000 + i, truth.get(name)![i]!, argmax(probs(name, i))]),
      );
      got.cells.forEach((cell) => expect(cell.confidence).toBeCloseTo(Math.max(...probs(name, cell.imageId - 1000)), 5));
      const topK = [2, 3]
        .filter((k) => c > k)
        .map((k) => ({
          k,
          accuracy: rows.filter((i) => probs(name, i).filter((p) => p > probs(name, i)[truth.get(name)![i]!]!).length < k).length / rows.length,
        }));
      expect(got.topK!.map((t) => t.k)).toEqual(topK.map((t) => t.k));
      got.topK!.forEach((t, j) => expect(t.accuracy).toBeCloseTo(topK[j]!.accuracy, 12));
      const bins = new Map<number, { count: number; confidence: number; accuracy: number }>();
      for (const i of rows) {
        const p = probs(name, i);
        const b = Math.min(9, Math.floor(Math.max(...p) * 10));
        const bin = bins.get(b) ?? { count: 0, confidence: 0, accuracy: 0 };
        bins.set(b, {
          count: bin.count + 1,
          confidence: bin.confidence + Math.max(...p),
          accuracy: bin.accuracy + (argmax(p) === truth.get(name)![i] ? 1 : 0),
        });
      }
      const expected = [...bins.entries()].sort((a, b) => a[0] - b[0]);
      expect(got.calibration!.bins.map((b) => [Math.round(b.from * 10), b.count])).toEqual(expected.map(([b, v]) => [b, v.count]));
      got.calibration!.bins.forEach((b, j) => expect(b.confidence).toBeCloseTo(expected[j]![1].confidence / expected[j]![1].count, 5));
      const ece = expected.reduce((sum, [, v]) => sum + (v.count / rows.length) * Math.abs(v.accuracy / v.count - v.confidence / v.count), 0);
      expect(got.calibration!.ece).toBeCloseTo(ece, 5);
      if (name === 'font') {
        const supports = h.classes.map((_, k) => rows.filter((i) => truth.get(name)![i] === k).length);
        expect(got.chance).toBeCloseTo(Math.max(...supports) / rows.length, 12);
      } else expect(got.chance).toBeUndefined();
    }
  });

  it('scores whole sequences (length and every digit right) and their coverage at 98%, most confident first', async () => {
    const report = await evaluate(model, data, (i) => i, targets, 16);
    const results: { ok: boolean; confidence: number }[] = [];
    for (const i of kept('length')) {
      const trueLength = Number(heads[0]!.classes[truth.get('length')![i]!]);
      if (!Number.isInteger(trueLength) || trueLength > 2) continue;
      if (['d0', 'd1'].slice(0, trueLength).some((d) => truth.get(d)![i]! < 0)) continue;
      const lengthRow = probs('length', i);
      const predLength = Number(heads[0]!.classes[argmax(lengthRow)]);
      const used = Number.isInteger(predLength) ? Math.min(predLength, 2) : 2;
      let ok = argmax(lengthRow) === truth.get('length')![i];
      let confidence = Math.max(...lengthRow);
      ['d0', 'd1'].slice(0, used).forEach((d, k) => {
        confidence *= Math.max(...probs(d, i));
        if (k < trueLength && argmax(probs(d, i)) !== truth.get(d)![i]) ok = false;
      });
      results.push({ ok, confidence });
    }
    const [sequence] = report.sequences;
    expect(sequence!.target).toBe('digits');
    expect(sequence!.digitHeads).toEqual(['d0', 'd1']);
    expect(sequence!.count).toBe(results.length);
    expect(results.some((r) => r.ok) && results.some((r) => !r.ok)).toBe(true); // the data covers both outcomes
    expect(sequence!.accuracy).toBeCloseTo(results.filter((r) => r.ok).length / results.length, 12);
    const sorted = [...results].sort((a, b) => b.confidence - a.confidence).map((r) => r.ok);
    let correct = 0;
    let coverage = 0;
    sorted.forEach((ok, i) => {
      if (ok) correct++;
      if (correct / (i + 1) >= 0.98) coverage = (i + 1) / sorted.length;
    });
    expect(sequence!.coverageAt98).toBeCloseTo(coverage, 12);
    expect(sequence!.curve.at(-1)).toEqual({ coverage: 1, accuracy: sequence!.accuracy });
  });

  it('frees every tensor it makes', async () => {
    await evaluate(model, data, (i) => i, targets, 16);
    const before = tf.memory().numTensors;
    await evaluate(model, data, (i) => i, targets, 16);
    expect(tf.memory().numTensors).toBe(before);
  });
});
