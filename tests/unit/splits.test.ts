import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpecInput } from '../../shared/model-spec.js';
import { buildExamples, readLabels, type Example } from '../../electron/engine/data.js';
import { toTrainData } from '../../electron/engine/memory-data.js';
import { resolveHeads } from '../../electron/engine/heads.js';
import { SourceTable } from '../../electron/engine/image-sources.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { LabelTable } from '../../electron/engine/labels.js';
import { splitRun } from '../../electron/engine/split.js';
import { tf } from '../../electron/engine/tf.js';
import { runTraining } from '../../electron/engine/trainer.js';
import { runWarnings } from '../../electron/engine/warnings.js';
import { spec, synthetic, trainData } from '../engine-fixtures.js';
import { useImportedSample } from '../sample-project.js';

const sample = useImportedSample();
beforeAll(() => {
  // As if the crops came from 12 pages, one folder each (several crops of one photo, lines of one page).
  sample.project.store.db.prepare("UPDATE images SET original_path = '/books/page-' || (id % 12) || '/' || original_name").run();
});

function setup(split: object) {
  const s = spec({
    name: 'split',
    inputs: [{ name: 'x', height: 16, width: 32 }],
    trunk: { preset: 'mlp', hidden: [8] },
    heads: [{ name: 'length', target: { kind: 'target', target: 'length' } }],
    training: { seed: 4, validation: 0.15, test: 0.2, split } as ModelSpecInput['training'],
  });
  const labels = readLabels(sample.project);
  const heads = resolveHeads(s, sample.project.store.targets.list());
  const examples = buildExamples(s, heads, labels);
  return { s, labels, heads, examples, sources: SourceTable.of(sample.project.store.images.sources()) };
}

const pageOf = (e: Example) => (e.imageIds[0]! % 12).toString();

describe('splits that respect sources', () => {
  it('a random split mixes the pages and says so', () => {
    const { s, labels, heads, examples, sources } = setup({});
    const { split, description } = splitRun(s, heads, examples, labels, sources);
    expect(description).toEqual({ kind: 'random', sharedFolders: { shared: 12, folders: 12 } });
    expect(split.test.length).toBeGreaterThan(0);
    const warnings = runWarnings({ heads: [], resolved: heads, runTargets: [], projectTargets: [], split: description });
    expect(warnings).toEqual([
      {
        head: null,
        kind: 'group-leak',
        message: expect.stringMatching(/^12 of 12 source folders have images in both the test set and the training data.*groupBy 'folder'/),
      },
    ]);
  });

  it('folders that are the classes (labels from folder names): the warning does not advise grouping by folder', () => {
    const { s, labels, heads, examples } = setup({});
    // As if each crop lay in a folder named by its length (root/<class>/<file>).
    const byClass = SourceTable.of(
      [...sample.project.store.images.sources()].map((r) => ({ ...r, originalPath: `/lengths/${labels.value(r.id, 'length') ?? 'none'}/${r.id}.png` })),
    );
    const { description } = splitRun(s, heads, examples, labels, byClass);
    expect(description.sharedFolders).toMatchObject({ classesOf: ['length'] });
    expect(description.sharedFolders!.shared).toBeGreaterThan(0);
    const [warning] = runWarnings({ heads: [], resolved: heads, runTargets: [], projectTargets: [], split: description });
    expect(warning!.message).toMatch(/source folders have images in both.*the folders are the classes of 'length' .*not possible for that target/);
    expect(warning!.message).not.toMatch(/groupBy/);
  });

  it("an uploaded file's source folder is its folder in that upload: two uploads of a folder named alike are two sources", () => {
    const table = SourceTable.of([
      { id: 1, originalPath: 'upload:crops/a.png', importBatchId: 1 },
      { id: 2, originalPath: 'upload:crops/b.png', importBatchId: 1 },
      { id: 3, originalPath: 'upload:crops/c.png', importBatchId: 2 },
      { id: 4, originalPath: 'upload:d.png', importBatchId: 1 },
      { id: 5, originalPath: 'upload:e.png', importBatchId: 2 },
    ]);
    const codes = [1, 2, 3, 4, 5].map((id) => table.folderCode(id));
    expect(codes[0]).toBe(codes[1]);
    expect(new Set([codes[0], codes[2], codes[3], codes[4]]).size).toBe(4);
  });

  it('grouped by folder: no page is on both sides, and the shares are about as asked', () => {
    const { s, labels, heads, examples, sources } = setup({ groupBy: 'folder' });
    const { split, description } = splitRun(s, heads, examples, labels, sources);
    const sides = ['train', 'validation', 'test'] as const;
    const pages = sides.map((side) => new Set(split[side].map(pageOf)));
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      expect([...pages[a]!].filter((p) => pages[b]!.has(p))).toEqual([]);
    }
    expect(description).toMatchObject({ kind: 'grouped', groupBy: 'folder', sharedFolders: { shared: 0, folders: 12 } });
    expect(description.groups!.train + description.groups!.validation + description.groups!.test).toBe(12);
    expect(split.train.length + split.validation.length + split.test.length).toBe(examples.length);
    expect(split.test.length / examples.length).toBeGreaterThan(0.1);
    expect(split.test.length / examples.length).toBeLessThan(0.35);
    // The same seed gives the same split.
    expect(splitRun(s, heads, examples, labels, sources).split.test).toEqual(split.test);
  });

  it('grouped by a target value, and an explicit test set named by a target value', () => {
    const byFont = setup({ groupBy: { target: 'font_style' } });
    const grouped = splitRun(byFont.s, byFont.heads, byFont.examples, byFont.labels, byFont.sources);
    const fontOf = (e: Example) => byFont.labels.value(e.imageIds[0]!, 'font_style') ?? `none ${e.imageIds[0]}`;
    const trainFonts = new Set(grouped.split.train.map(fontOf));
    expect(grouped.split.test.map(fontOf).filter((f) => trainFonts.has(f))).toEqual([]);
    expect(grouped.description.groupBy).toBe('target font_style');

    const explicit = setup({ testWhere: { target: 'font_style', value: 'mono' } });
    const { split, description } = splitRun(explicit.s, explicit.heads, explicit.examples, explicit.labels, explicit.sources);
    expect(split.test.length).toBeGreaterThan(0);
    expect(split.test.every((e) => explicit.labels.value(e.imageIds[0]!, 'font_style') === 'mono')).toBe(true);
    expect([...split.train, ...split.validation].some((e) => explicit.labels.value(e.imageIds[0]!, 'font_style') === 'mono')).toBe(false);
    expect(description).toMatchObject({ kind: 'explicit', testWhere: { target: 'font_style', value: 'mono' } });
  });
});

describe('early stopping', () => {
  it('stops when the validation loss has not improved for `patience` epochs', async () => {
    await tf.setBackend('cpu');
    const s = spec({
      name: 'early',
      inputs: [{ name: 'x', height: 14, width: 14 }],
      trunk: { preset: 'mlp', hidden: [8] },
      heads: [{ name: 'quad', target: { kind: 'target', target: 'quad' }, classes: ['tl', 'tr', 'bl', 'br'] }],
      // A learning rate so small that the validation loss cannot improve by minDelta after the first epoch.
      training: { epochs: 20, batchSize: 16, learningRate: 1e-9, seed: 1, earlyStopping: { patience: 2, minDelta: 0.01 } },
    });
    const model = new MultiHeadModel(s, null);
    const outcome = await runTraining({ model, train: trainData(synthetic(32, 3)), validation: trainData(synthetic(16, 4)) });
    expect(outcome).toEqual({ status: 'completed', epoch: 3, step: 6, stoppedEarly: true });
    model.dispose();
  });
});

describe('augmentation a resumed run can reproduce', () => {
  it('draws the random shifts from the seed and the step, not from a stream that restarts on resume', async () => {
    await tf.setBackend('cpu');
    const s = spec({
      name: 'aug',
      inputs: [{ name: 'x', height: 8, width: 8 }],
      trunk: { preset: 'mlp', hidden: [4] },
      heads: [{ name: 'quad', target: { kind: 'target', target: 'quad' }, classes: ['a', 'b'] }],
      training: { augmentShift: 2 },
    });
    const heads = resolveHeads(s, null);
    const examples = [1, 2, 3, 4].map((id) => ({ imageIds: [id] }));
    const pixels = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 1.7));
    const decoded = { input: s.inputs[0]!, index: new Map([1, 2, 3, 4].map((id, k) => [id, k])), pixels };
    const labels = LabelTable.of([1, 2, 3, 4].map((id) => ({ imageId: id, target: 'quad', value: id % 2 ? 'a' : 'b' })));
    const pixelsOf = (data: ReturnType<typeof toTrainData>, step: number) => {
      const batch = data.batch([0, 1, 2, 3], true, step);
      const values = Array.from(batch.inputs.x!.dataSync());
      tf.dispose(Object.values(batch.inputs));
      return values;
    };
    const first = toTrainData(s, heads, examples, decoded, labels, 9);
    pixelsOf(first, 6);
    const atStep7 = pixelsOf(first, 7);
    // A fresh data object (as after a resume) gives the same shifts at step 7, and other shifts at other steps.
    const resumed = toTrainData(s, heads, examples, decoded, labels, 9);
    expect(pixelsOf(resumed, 7)).toEqual(atStep7);
    expect(pixelsOf(resumed, 8)).not.toEqual(atStep7);
  });
});
