/**
 * A user-defined sequence target trains end to end: transcripts over a 3-character alphabet
 * are imported, a spec's position heads take their classes from that alphabet and its length
 * head from the length target that follows it, and the evaluation and prediction read them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/api/contract.js';
import type { EvaluationReport } from '../../shared/evaluation.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { runImport } from '../../electron/importer/importer.js';
import { seededRandom } from '../../electron/engine/sampling.js';
import { tempDir } from '../helpers.js';

const ALPHABET = 'xyz';
/** Each character is an 8x8 cell of its own brightness; unused positions stay mid-grey. */
const SHADE: Record<string, number> = { x: 20, y: 235, z: 90 };

let dir: string;
let cleanup: () => void;
let runtime: Runtime;

async function call<T>(method: string, payload: unknown): Promise<T> {
  const r = await runtime.dispatch(method, payload);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.data as T;
}

async function writeWords(root: string, count: number): Promise<void> {
  mkdirSync(root);
  const random = seededRandom(11);
  for (let i = 0; i < count; i++) {
    const length = 1 + (i % 3);
    const word = Array.from({ length }, () => ALPHABET[Math.floor(random() * 3)]!).join('');
    const pixels = Buffer.alloc(8 * 24);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 24; x++) {
        const ch = word[Math.floor(x / 8)];
        pixels[y * 24 + x] = Math.max(0, Math.min(255, (ch ? SHADE[ch]! : 160) + Math.round((random() - 0.5) * 30)));
      }
    }
    const name = `w${String(i).padStart(3, '0')}`;
    await sharp(pixels, { raw: { width: 24, height: 8, channels: 1 } })
      .png()
      .toFile(path.join(root, `${name}.png`));
    writeFileSync(path.join(root, `${name}.gt.txt`), `${word}\n`);
  }
}

const finished = (runId: number) =>
  new Promise<RunSummary>((resolve) => {
    const stop = runtime.events.subscribe((m) => {
      if (m.event === 'training.finished' && m.payload.id === runId) {
        stop();
        resolve(m.payload);
      }
    });
  });

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  runtime = openRuntime(path.join(dir, 'data'), {}, { defaultTargets: false });
  await call('targets.createSequence', { name: 'word', alphabet: ALPHABET, maxLength: 3 });
  await writeWords(path.join(dir, 'words'), 120);
  const summary = await runImport(
    { store: runtime.project.store, dataDir: runtime.project.dataDir },
    { paths: [path.join(dir, 'words')], transcripts: { target: 'word' } },
  );
  expect(summary.transcripts).toMatchObject({ target: 'word', files: 120, matched: 120 });
});
afterAll(() => {
  runtime.close();
  cleanup();
});

describe('a sequence target with a user-defined alphabet', () => {
  it('trains position heads over its alphabet and a length head, evaluates whole sequences, and predicts words', async () => {
    const spec = {
      name: 'xyz words',
      inputs: [{ name: 'x', height: 8, width: 24, resize: 'stretch' }],
      trunk: { preset: 'mlp', hidden: [48] },
      heads: [
        { name: 'length', target: { kind: 'target', target: 'word_length' } },
        ...[0, 1, 2].map((position) => ({ name: `c${position}`, target: { kind: 'position', target: 'word', position } })),
      ],
      training: { epochs: 12, batchSize: 16, learningRate: 0.01, validation: 0.15, test: 0.2, seed: 3 },
    };
    expect(await call('training.check', { spec })).toEqual({ ok: true, issues: [] });
    const past = await call<{ ok: boolean; issues: { path: string; message: string }[] }>('training.check', {
      spec: { ...spec, heads: [{ name: 'c3', target: { kind: 'position', target: 'word', position: 3 } }] },
    });
    expect(past.issues).toEqual([expect.objectContaining({ message: expect.stringMatching(/3 is past the 3 positions of 'word'/) })]);

    const run = await call<RunSummary>('training.start', { spec, backend: 'cpu' });
    const done = await finished(run.id);
    expect(done.status, done.error ?? '').toBe('completed');

    const report = await call<EvaluationReport>('training.evaluation', { runId: run.id });
    const heads = Object.fromEntries(report.heads.map((h) => [h.head, h]));
    expect(heads.length!.classes).toEqual(['0', '1', '2', '3', '>3']);
    for (const c of ['c0', 'c1', 'c2']) expect(heads[c]!.classes).toEqual(['x', 'y', 'z']);
    // Position 2 exists only in 3-character words: the others are masked, not counted.
    expect(heads.c2!.count).toBeLessThan(heads.c0!.count);
    expect(report.sequences).toEqual([expect.objectContaining({ target: 'word', lengthHead: 'length', digitHeads: ['c0', 'c1', 'c2'] })]);
    expect(report.sequences[0]!.count).toBe(report.count);
    // The cells are easy to tell apart; a model that learned nothing would be near a third.
    expect(heads.c0!.accuracy).toBeGreaterThan(0.6);

    // Prediction writes words over the alphabet, never over human labels.
    const word = runtime.project.store.targets.byName('word')!;
    const someId = runtime.project.store.images.ids({ status: 'any', order: 'id' }, 2)[0]!;
    await call('annotations.clear', { imageId: someId, targetId: word.id });
    const predicted = await call<{ images: number; written: Record<string, number> }>('training.predict', { runId: run.id });
    expect(predicted.images).toBeGreaterThan(0);
    expect(predicted.written.word).toBeGreaterThan(0);
    const model = runtime.project.store.annotations.one(someId, word.id, 'model');
    expect(model).toBeDefined();
    expect(model!.text_value).toMatch(/^[xyz]{0,3}$/);
  });
});
