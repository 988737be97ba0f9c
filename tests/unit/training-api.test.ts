import { describe, expect, it } from 'vitest';
import type { RunSummary, TrainingProgressEvent } from '../../shared/api/contract.js';
import { useSampleRuntime } from '../runtime-fixture.js';

const sample = useSampleRuntime();
const { messages } = sample;
const call = <T>(method: string, payload: unknown) => sample.call<T>(method, payload);
const finished = (runId: number) =>
  new Promise<RunSummary>((resolve) => {
    const stop = sample.runtime.events.subscribe((m) => {
      if (m.event === 'training.finished' && m.payload.id === runId) {
        stop();
        resolve(m.payload);
      }
    });
  });

const spec = (epochs: number) => ({
  name: 'api tiny',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'mlp', hidden: [32] },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
  ],
  training: { epochs, batchSize: 16, reportEvery: 2 },
});

describe('training through the shared API', () => {
  it('starts a run, streams per-head progress events, and finishes', async () => {
    const run = await call<RunSummary>('training.start', { spec: spec(2) });
    expect(run.status).toBe('queued');
    const done = await finished(run.id);
    expect(done.status).toBe('completed');
    expect(done.epochsDone).toBe(2);
    const progress = messages.filter((m) => m.event === 'training.progress').map((m) => m.payload as TrainingProgressEvent);
    expect(progress.filter((p) => p.kind === 'epoch').map((p) => p.epoch)).toEqual([0, 1]);
    expect(Object.keys(progress[0]!.heads)).toEqual(['length', 'd0']);
    expect((await call<RunSummary[]>('training.runs', {}))[0]).toMatchObject({ id: run.id, status: 'completed' });
  });

  it('serves curves, the evaluation, the images behind a confusion cell; predicts; a prediction is accepted as a human label, undoably', async () => {
    const runId = 1;
    const { rows } = await call<{ rows: { split: string; head: string; metric: string; epoch: number }[] }>('training.metrics', { runId });
    expect(rows.filter((r) => r.split === 'val' && r.head === 'length' && r.metric === 'loss').map((r) => r.epoch)).toEqual([0, 1]);
    const report = await call<{ heads: { head: string; confusion: number[][] }[] }>('training.evaluation', { runId });
    const length = report.heads.find((h) => h.head === 'length')!;
    let checked = 0;
    for (let t = 0; t < length.confusion.length; t++) {
      for (let p = 0; p < length.confusion.length; p++) {
        if (length.confusion[t]![p] === 0) continue;
        const { items } = await call<{ items: { imageId: number; confidence: number }[] }>('training.cell', {
          runId,
          head: 'length',
          trueIndex: t,
          predIndex: p,
        });
        expect(items).toHaveLength(length.confusion[t]![p]!);
        expect(items.map((i) => i.confidence)).toEqual([...items.map((i) => i.confidence)].sort((a, b) => b - a));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);

    const predicted = await call<{ images: number; written: Record<string, number> }>('training.predict', { runId });
    expect(predicted.images).toBeGreaterThan(0);
    expect(predicted.written.length).toBe(predicted.images);
    // An image with no human length label, walked lowest confidence first.
    const lengthTarget = sample.runtime.project.store.targets.byName('length')!;
    const queue = await call<{ ids: number[] }>('images.ids', { filter: { order: 'confidence', target: { targetId: lengthTarget.id, source: 'model' } } });
    expect(queue.ids.length).toBe(predicted.images);
    const confidences = queue.ids.map((id) => sample.runtime.project.store.annotations.one(id, lengthTarget.id, 'model')!.confidence!);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    const imageId = queue.ids[0]!;
    const model = sample.runtime.project.store.annotations.one(imageId, lengthTarget.id, 'model')!;
    const accepted = await call<{ value: string; source: string }>('annotations.accept', { imageId, targetId: lengthTarget.id });
    expect(accepted).toMatchObject({ value: model.class_name, source: 'human' });
    expect((await call<{ ids: number[] }>('images.ids', { filter: { target: { targetId: lengthTarget.id, source: 'model' } } })).ids).not.toContain(imageId);
    await call('annotations.undo', {});
    expect(sample.runtime.project.store.annotations.one(imageId, lengthTarget.id, 'human')).toBeUndefined();
    expect(
      await sample.runtime.dispatch('annotations.accept', { imageId: 1, targetId: sample.runtime.project.store.targets.byName('script')!.id }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('cancels a running run, then resumes it to completion', async () => {
    const run = await call<RunSummary>('training.start', { spec: spec(4) });
    await new Promise<void>((resolve) => {
      const stop = sample.runtime.events.subscribe((m) => {
        if (m.event === 'training.progress' && m.payload.runId === run.id && m.payload.kind === 'epoch') {
          stop();
          resolve();
        }
      });
    });
    const ending = finished(run.id);
    expect(await call<RunSummary>('training.control', { runId: run.id, action: 'cancel' })).toMatchObject({ id: run.id });
    expect((await ending).status).toBe('cancelled');
    const conflict = await sample.runtime.dispatch('training.control', { runId: run.id, action: 'pause' });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const again = finished(run.id);
    await call('training.resume', { runId: run.id });
    expect(await again).toMatchObject({ status: 'completed', epochsDone: 4 });
  });

  it('lists a running run with its latest progress (the Train view opened mid-run), and says when the test split is being evaluated', async () => {
    const emitted: TrainingProgressEvent[] = [];
    let testImages = 0;
    let listed: Promise<RunSummary[]> | undefined;
    const stop = sample.runtime.events.subscribe((m) => {
      if (m.event === 'training.split') testImages = m.payload.counts.test;
      if (m.event !== 'training.progress') return;
      emitted.push(m.payload);
      listed ??= call<RunSummary[]>('training.runs', {});
    });
    const run = await call<RunSummary>('training.start', { spec: spec(2) });
    const done = await finished(run.id);
    stop();
    expect(done.status).toBe('completed');
    const mid = (await listed!).find((r) => r.id === run.id)!;
    expect(mid.status).toBe('running');
    expect(emitted).toContainEqual(mid.progress);
    expect(testImages).toBeGreaterThan(0);
    const epochs = emitted.filter((p) => p.runId === run.id && p.kind === 'epoch');
    expect(epochs.map((p) => p.phase)).toEqual(['training', 'evaluating']);
    // A finished run has no live progress: its stored counts say it all.
    expect((await call<RunSummary[]>('training.runs', {})).find((r) => r.id === run.id)!.progress).toBeUndefined();
  });

  it('names the bad field of an invalid spec', async () => {
    const bad = await sample.runtime.dispatch('training.start', {
      spec: { ...spec(1), heads: [{ name: 'h', target: { kind: 'compare', target: 'digits', op: 'le', a: 'x', b: 'y' } }] },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(!bad.ok && bad.error.issues?.map((i) => i.path)).toEqual(['spec.heads.0.target.b']);
  });
});
