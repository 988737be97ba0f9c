/**
 * The streaming data pipeline (issue 15): the pixel cache gives exactly the floats a direct
 * decode gives (and the same batches, augmented or not, as the in-memory pipeline); with a data
 * set larger than its memory budget it keeps to the budget by its own accounting and reads the
 * rest back from its file; a second pass decodes nothing; training can start before the rest
 * is decoded, and a split not asked for yet is not decoded in the background; an image that cannot be read is skipped, named, and does not stop a run.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildExamples, decodeImages, readLabels } from '../../electron/engine/data.js';
import { toTrainData } from '../../electron/engine/memory-data.js';
import { decodeInto, standardizeInto } from '../../electron/engine/decode.js';
import { resolveHeads } from '../../electron/engine/heads.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { Decoder } from '../../electron/engine/pipeline/decoder.js';
import { pipelineData } from '../../electron/engine/pipeline/stream-data.js';
import { DataPipeline } from '../../electron/engine/pipeline/pipeline.js';
import { PixelCache, recordBytesOf } from '../../electron/engine/pipeline/pixel-cache.js';
import { tf } from '../../electron/engine/tf.js';
import { prepareAll } from '../../electron/engine/train-data.js';
import { runTraining, type TrainProgress } from '../../electron/engine/trainer.js';
import { spec } from '../engine-fixtures.js';
import { useImportedSample } from '../sample-project.js';

const sample = useImportedSample('cpu');

const modelSpec = (resize: 'letterbox' | 'stretch' = 'letterbox') =>
  spec({
    name: 'pipeline',
    inputs: [{ name: 'x', height: 16, width: 32, channels: 1, resize }],
    trunk: { preset: 'mlp', hidden: [8] },
    heads: [{ name: 'length', target: { kind: 'target', target: 'length' } }],
    training: { augmentShift: 2, seed: 3 },
  });

function setup(resize: 'letterbox' | 'stretch' = 'letterbox') {
  const s = modelSpec(resize);
  const labels = readLabels(sample.project);
  const heads = resolveHeads(s, sample.project.store.targets.list());
  const examples = buildExamples(s, heads, labels);
  return { s, labels, heads, examples };
}

const fileOf = (id: number) => sample.project.resolveStored(sample.project.store.images.get(id)!.stored_path)!;
const pixelsOf = (batch: ReturnType<ReturnType<typeof toTrainData>['batch']>) => {
  const values = batch.inputs.x!.dataSync();
  tf.dispose(Object.values(batch.inputs));
  return values;
};

describe('the streaming data pipeline', () => {
  it('gives the same batches as the in-memory pipeline (a direct decode), augmented or not', async () => {
    const { s, labels, heads, examples } = setup();
    expect(examples.length).toBeGreaterThan(100);
    const pipeline = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir: path.join(sample.dir, 'same') });
    const streamed = pipelineData(pipeline, examples, 7);
    await prepareAll(streamed);
    const decoded = await decodeImages(
      sample.project,
      examples.flatMap((e) => e.imageIds),
      s.inputs[0]!,
    );
    const inMemory = toTrainData(s, heads, examples, decoded, labels, 7);
    const all = examples.map((_, i) => i);
    for (const [augment, step] of [
      [false, 0],
      [true, 5],
      [true, 6],
    ] as const) {
      const a = streamed.batch(all, augment, step);
      const b = inMemory.batch(all, augment, step);
      expect(a.labels).toEqual(b.labels);
      expect(pixelsOf(a)).toEqual(pixelsOf(b));
    }
    pipeline.close(true);
  });

  it.each([20, 0])(
    'keeps to a memory budget of %i records, smaller than the data set, by its own accounting, reading the rest from disk, with the pixels a direct decode gives',
    async (room) => {
      const { s, examples } = setup();
      const input = s.inputs[0]!;
      const ids = examples.map((e) => e.imageIds[0]!);
      const recordBytes = recordBytesOf(input);
      const budgetBytes = room * recordBytes + recordBytes - 1; // room for `room` records, not one more
      const cache = new PixelCache({ dir: path.join(sample.dir, `tiny-${room}`), input, records: ids.length, budgetBytes, key: 'tiny' });
      const decoder = new Decoder(cache, { input, fileOf: (slot) => fileOf(ids[slot]!), nameOf: (slot) => `image ${ids[slot]}` });
      expect(ids.length * recordBytes).toBeGreaterThan(5 * budgetBytes);
      let peak = 0;
      const watch = setInterval(() => (peak = Math.max(peak, cache.stats().memoryBytes)), 1);
      await decoder.ensureAll();
      clearInterval(watch);
      const afterDecode = cache.stats();
      expect(afterDecode.capacity).toBe(room);
      expect(afterDecode.decoded).toBe(ids.length);
      expect(afterDecode.diskWrites).toBe(ids.length);
      expect(afterDecode.evictions).toBe(room > 0 ? ids.length - room : 0);
      expect(Math.max(peak, afterDecode.memoryBytes)).toBeLessThanOrEqual(budgetBytes);
      const direct = new Float32Array(input.height * input.width);
      const cached = new Float32Array(input.height * input.width);
      for (let slot = 0; slot < ids.length; slot++) {
        await decodeInto(fileOf(ids[slot]!), input, direct);
        standardizeInto(cache.get(slot), input, cached);
        expect(cached).toEqual(direct);
        expect(cache.stats().memoryBytes).toBeLessThanOrEqual(budgetBytes);
      }
      const afterRead = cache.stats();
      // The first reads found the most recent records in memory; the rest came from the file.
      expect(afterRead.diskReads).toBeGreaterThan(ids.length - room - 1);
      expect(afterRead.diskWrites).toBe(ids.length);
      cache.close();
    },
  );

  it('decodes nothing on a second pass or a reopen of the same image set; another resize mode or image set is decoded anew', async () => {
    const { s, labels, heads, examples } = setup();
    const cacheDir = path.join(sample.dir, 'reuse');
    const first = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir });
    await prepareAll(pipelineData(first, examples));
    const writes = first.stats().diskWrites;
    expect(writes).toBe(examples.length);
    await prepareAll(pipelineData(first, examples));
    pixelsOf(pipelineData(first, examples).batch([0, 1, 2], false));
    expect(first.stats().diskWrites).toBe(writes);
    first.close();
    const reopened = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir });
    expect(reopened.progress()).toEqual({ done: examples.length, total: examples.length });
    reopened.close();
    const fewer = DataPipeline.open(sample.project, s, heads, labels, examples.slice(1), { cacheDir });
    expect(fewer.progress().done).toBe(0);
    fewer.close();
    const stretched = setup('stretch');
    const other = DataPipeline.open(sample.project, stretched.s, heads, labels, examples, { cacheDir });
    expect(other.progress().done).toBe(0);
    other.close(true);
  });

  it('has a batch ready before the rest is decoded, in the order the epoch asks for', async () => {
    const { s, labels, heads, examples } = setup();
    const pipeline = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir: path.join(sample.dir, 'early'), concurrency: 2 });
    const train = pipelineData(pipeline, examples, 1);
    const order = examples.map((_, i) => examples.length - 1 - i);
    train.schedule!(order);
    await train.prepare!(order.slice(0, 8));
    const { done, total } = train.decodeProgress!();
    expect(done).toBeGreaterThanOrEqual(8);
    expect(done).toBeLessThan(total);
    await prepareAll(train);
    expect(train.decodeProgress!()).toEqual({ done: total, total });
    pipeline.close(true);
  });

  it('decodes in the background only the splits asked for; another split (the test split) when it is asked for', async () => {
    const { s, labels, heads, examples } = setup();
    const half = Math.floor(examples.length / 2);
    const pipeline = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir: path.join(sample.dir, 'ahead') });
    const train = pipelineData(pipeline, examples.slice(0, half), 1);
    await train.prepare!([0]);
    await vi.waitFor(() => expect(pipeline.progress().done).toBeGreaterThanOrEqual(half), { timeout: 20_000 });
    // The background has run dry at the split's images: the rest waits to be asked for.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pipeline.progress().done).toBe(half);
    await prepareAll(pipelineData(pipeline, examples.slice(half), 0));
    expect(pipeline.progress().done).toBe(examples.length);
    pipeline.close(true);
  });

  it('skips an image that cannot be read — counted, named with its file, its examples masked — and a run on it completes', async () => {
    const { s, labels, heads, examples } = setup();
    const corrupt = examples[5]!.imageIds[0]!;
    const missing = examples[9]!.imageIds[0]!;
    writeFileSync(fileOf(corrupt), 'not an image');
    rmSync(fileOf(missing));
    const pipeline = DataPipeline.open(sample.project, s, heads, labels, examples, { cacheDir: path.join(sample.dir, 'bad') });
    const data = pipelineData(pipeline, examples, 2);
    await prepareAll(data);
    const progress = pipeline.progress();
    expect(progress.done).toBe(progress.total);
    expect(progress.skipped?.count).toBe(2);
    const named = progress.skipped!.images.map((i) => `${i.name} ${path.basename(i.file)}`).sort();
    expect(named).toEqual([`image ${corrupt} ${path.basename(fileOf(corrupt))}`, `image ${missing} ${path.basename(fileOf(missing))}`].sort());
    for (const i of progress.skipped!.images) expect(i.reason).not.toBe('');
    // The skipped examples keep their rows (zeros, every head masked); the others are as decoded.
    const batch = data.batch([4, 5, 9], true, 3);
    expect(batch.labels.length!.mask).toEqual(new Float32Array([1, 0, 0]));
    const values = pixelsOf(batch);
    const size = s.inputs[0]!.height * s.inputs[0]!.width;
    expect(values.subarray(size).every((v) => v === 0)).toBe(true);
    expect(values.subarray(0, size).some((v) => v !== 0)).toBe(true);
    // A run on these examples trains to the end and reports the skipped images in its progress.
    const model = new MultiHeadModel({ ...s, training: { ...s.training, epochs: 1, batchSize: 16 } }, sample.project.store.targets.list());
    const reported: TrainProgress[] = [];
    const outcome = await runTraining({ model, train: pipelineData(pipeline, examples, 1), onProgress: (p) => reported.push(p) });
    expect(outcome.status).toBe('completed');
    expect(reported.at(-1)!.decoded?.skipped?.count).toBe(2);
    model.dispose();
    pipeline.close(true);
  });
});
