/**
 * The split at the size users work at (issue 15): linear in the number of examples, and for a
 * given seed the same split as before it was made linear. Linearity is asserted on a
 * complexity fact, not on time: every array iteration step (for…of, spread) is counted, and
 * at 100,000 examples the count stays within a small multiple of n (the quadratic version
 * copied each stratum's array per example: ~n²/strata steps, billions here).
 */
import { describe, expect, it } from 'vitest';
import type { ModelSpecInput } from '../../shared/model-spec.js';
import { buildExamples, labelIndex, splitExamples, type Example, type Split } from '../../electron/engine/data.js';
import { resolveHeads } from '../../electron/engine/heads.js';
import { SourceTable } from '../../electron/engine/image-sources.js';
import { LabelTable } from '../../electron/engine/labels.js';
import { permutation } from '../../electron/engine/sampling.js';
import { splitRun } from '../../electron/engine/split.js';
import type { ImageSource } from '../../electron/store/images-repo.js';
import { defaultTargetDefs, spec } from '../engine-fixtures.js';

const LENGTHS = ['0', '1', '2', '3', '4', '5', '>5'];

function dataset(n: number) {
  const rows: { imageId: number; target: string; value: string | null }[] = [];
  const sources: ImageSource[] = [];
  for (let id = 1; id <= n; id++) {
    // Every 13th image's length is unknown (no head label: left out); pages of ~500 crops; two imports.
    const length = id % 13 === 0 ? null : LENGTHS[id % 7]!;
    rows.push({ imageId: id, target: 'length', value: length }, { imageId: id, target: 'font_style', value: `page-${Math.floor(id / 500)}` });
    sources.push({ id, originalPath: `/scans/page-${Math.floor(id / 500)}/crop-${id}.png`, importBatchId: id % 2 });
  }
  return { labels: LabelTable.of(rows), sources: SourceTable.of(sources) };
}

function setup(n: number, split: object = {}) {
  const s = spec({
    name: 'split at scale',
    inputs: [{ name: 'x', height: 16, width: 32 }],
    trunk: { preset: 'mlp', hidden: [8] },
    heads: [{ name: 'length', target: { kind: 'target', target: 'length' } }],
    training: { seed: 4, validation: 0.1, test: 0.1, split } as ModelSpecInput['training'],
  });
  const heads = resolveHeads(s, defaultTargetDefs());
  const { labels, sources } = dataset(n);
  return { s, heads, labels, sources, examples: buildExamples(s, heads, labels) };
}

/** Counts array-iterator steps while `fn` runs (patching next turns off V8's fast paths, so spreads count too). */
function iterationSteps<T>(fn: () => T): { result: T; steps: number } {
  const proto = Object.getPrototypeOf([][Symbol.iterator]()) as { next: (...args: unknown[]) => unknown };
  const next = proto.next;
  let steps = 0;
  proto.next = function (this: unknown, ...args: unknown[]) {
    steps++;
    return next.apply(this, args);
  };
  try {
    return { result: fn(), steps };
  } finally {
    proto.next = next;
  }
}

/** The split as it was before issue 15 (quadratic), kept here to show the linear one gives the same result. */
function quadraticSplit(s: ReturnType<typeof setup>['s'], heads: ReturnType<typeof setup>['heads'], examples: Example[], labels: LabelTable): Split {
  const strata = new Map<number, Example[]>();
  for (const e of examples) {
    const key = labelIndex(heads[0]!, e, ['x'], labels);
    strata.set(key, [...(strata.get(key) ?? []), e]);
  }
  const split: Split = { train: [], validation: [], test: [] };
  let salt = 0;
  for (const [, group] of [...strata.entries()].sort((a, b) => a[0] - b[0])) {
    const order = permutation(group.length, s.training.seed * 31 + salt++);
    const nTest = Math.round(group.length * s.training.test);
    const nVal = Math.round(group.length * s.training.validation);
    order.forEach((i, k) => (k < nTest ? split.test : k < nTest + nVal ? split.validation : split.train).push(group[i]!));
  }
  return split;
}

const ids = (split: Split) => ({
  train: split.train.map((e) => e.imageIds[0]),
  validation: split.validation.map((e) => e.imageIds[0]),
  test: split.test.map((e) => e.imageIds[0]),
});

describe('the split at 100,000 examples', () => {
  it('stratified: linear in the number of examples, and the same split for the same seed', () => {
    const big = setup(100_000);
    const n = big.examples.length;
    expect(n).toBeGreaterThan(92_000);
    const { result, steps } = iterationSteps(() => splitExamples(big.s, big.heads, big.examples, big.labels));
    expect(steps).toBeLessThan(10 * n);
    expect(result.train.length + result.validation.length + result.test.length).toBe(n);
    expect(result.test.length).toBeGreaterThan(9_000);
    console.log(`split of ${n} examples: ${steps} array iteration steps`);
    expect(ids(splitExamples(big.s, big.heads, big.examples, big.labels))).toEqual(ids(result));
    // Twice the examples, about twice the steps: the step count grows linearly.
    const twice = setup(200_000);
    const steps2 = iterationSteps(() => splitExamples(twice.s, twice.heads, twice.examples, twice.labels)).steps;
    expect(steps2 / steps).toBeLessThan(2.1);
  });

  it('gives exactly the split the quadratic version gave for the same seed', () => {
    const small = setup(4_000);
    expect(ids(splitExamples(small.s, small.heads, small.examples, small.labels))).toEqual(
      ids(quadraticSplit(small.s, small.heads, small.examples, small.labels)),
    );
  });

  it('grouped (by folder, by import: one group of 50,000) and explicit splits are linear and deterministic', () => {
    for (const split of [{ groupBy: 'folder' }, { groupBy: 'import' }, { testWhere: { target: 'font_style', value: 'page-3' } }]) {
      const big = setup(100_000, split);
      const { result, steps } = iterationSteps(() => splitRun(big.s, big.heads, big.examples, big.labels, big.sources));
      expect(steps).toBeLessThan(20 * big.examples.length);
      const again = splitRun(big.s, big.heads, big.examples, big.labels, big.sources);
      expect(ids(again.split)).toEqual(ids(result.split));
      expect(again.description).toEqual(result.description);
      expect(result.split.train.length + result.split.validation.length + result.split.test.length).toBe(big.examples.length);
    }
  });
});
