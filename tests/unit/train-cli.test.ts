import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../electron/engine/tf.js';
import { cli } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';

let dir: string;
let data: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  data = path.join(dir, 'data');
  expect(cli(['import', '--data', data, sampleDir]).status).toBe(0);
  writeFileSync(
    path.join(dir, 'spec.json'),
    JSON.stringify({
      name: 'cli tiny',
      inputs: [{ name: 'x', height: 16, width: 32 }],
      trunk: { preset: 'conv', depth: 2, width: 8, dense: 32 },
      heads: [
        { name: 'length', target: { kind: 'target', target: 'length' } },
        { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
        { name: 'font', target: { kind: 'target', target: 'font_style' } },
      ],
      training: { epochs: 5, batchSize: 32 },
    }),
  );
});
afterAll(() => cleanup());

const humanRows = () => {
  const db = new Database(path.join(data, 'polyhead.sqlite'), { readonly: true });
  const rows = db.prepare("SELECT image_id, target_id, state, text_value, class_id FROM annotations WHERE source = 'human' ORDER BY 1, 2").all();
  db.close();
  return rows;
};

describe('polyhead train / runs / eval / predict / export', () => {
  it('trains a spec from a file and reports backend, epochs and the test evaluation', () => {
    const r = cli(['train', '--data', data, '--spec', path.join(dir, 'spec.json'), '--epochs', '2', '--pixel-cache-mb', '1']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^run 1 started$/m);
    expect(r.stdout).toMatch(/^backend: \w+ — .+/m);
    expect(r.stdout).toMatch(/^epoch +1\/2 +loss [\d.]+ +lr 0\.0010 +length [\d.]+\/\d+% +d0/m);
    expect(r.stdout).toMatch(/^epoch +2\/2 /m);
    expect(r.stdout).toMatch(/^run 1: completed$/m);
    expect(r.stdout).toMatch(/^length +[\d.]+% +\d+$/m);
    expect(cli(['runs', '--data', data]).stdout).toMatch(/^ +1 +completed +epochs +2 /m);
  });

  it('refuses a pixel cache budget that is not a positive whole number of MB, naming the option', () => {
    const r = cli(['train', '--data', data, '--spec', path.join(dir, 'spec.json'), '--pixel-cache-mb', '0']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--pixel-cache-mb/);
  });

  it('prints per-head confusion matrices of a run', () => {
    const r = cli(['eval', '--data', data, '--run', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^length: confusion \(rows true, columns predicted\)$/m);
    expect(r.stdout).toMatch(/^ +0 +1 +2 +3 +4 +5 +>5$/m);
    expect(r.stdout).toMatch(/^ +class +precision +recall +support$/m);
    expect(cli(['eval', '--data', data, '--run', '9']).stderr).toMatch(/no run 9/);
  });

  it('stores predictions as model labels and never touches a human label', () => {
    const before = humanRows();
    const r = cli(['predict', '--data', data, '--run', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^predicted \d+ image\(s\) with run 1$/m);
    expect(humanRows()).toEqual(before);
    const db = new Database(path.join(data, 'polyhead.sqlite'), { readonly: true });
    const model = db
      .prepare("SELECT count(*) AS n, min(confidence) AS lo, max(confidence) AS hi, min(run_id) AS run FROM annotations WHERE source = 'model'")
      .get() as {
      n: number;
      lo: number;
      hi: number;
      run: number;
    };
    db.close();
    expect(model.n).toBeGreaterThan(0);
    expect(model.lo).toBeGreaterThan(0);
    expect(model.hi).toBeLessThanOrEqual(1);
    expect(model.run).toBe(1);
  });

  it('exports a TensorFlow.js model that loads and predicts every head', async () => {
    const out = path.join(dir, 'export');
    expect(cli(['export', '--data', data, '--run', '1', '--out', out]).status).toBe(0);
    const modelJson = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    const weights = readFileSync(path.join(out, 'weights.bin'));
    const meta = JSON.parse(readFileSync(path.join(out, 'polyhead.json'), 'utf8'));
    expect(meta.heads.map((h: { name: string }) => h.name)).toEqual(['length', 'd0', 'font']);
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    const outputs = model.predict(tf.zeros([2, 16, 32, 1])) as tf.Tensor[];
    expect(outputs.map((o) => o.shape)).toEqual([
      [2, 7],
      [2, 10],
      [2, 5],
    ]);
    const sums = outputs.map((o) => Array.from(tf.sum(o, 1).dataSync()));
    for (const s of sums.flat()) expect(s).toBeCloseTo(1, 5);
    tf.dispose(outputs);
  });

  it('resumes and refuses properly', () => {
    const again = cli(['train', '--data', data, '--resume', '1']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/run 1 is already completed/);
    const bad = cli(['train', '--data', data, '--spec', path.join(dir, 'nope.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot read the spec/);
  });

  it('trains past an image that cannot be read, naming it and its file once', () => {
    const other = path.join(dir, 'with-a-bad-image');
    expect(cli(['import', '--data', other, sampleDir]).status).toBe(0);
    const db = new Database(path.join(other, 'polyhead.sqlite'), { readonly: true });
    const bad = db.prepare('SELECT id, stored_path FROM images ORDER BY id LIMIT 1').get() as { id: number; stored_path: string };
    db.close();
    writeFileSync(path.join(other, bad.stored_path), 'not an image');
    const r = cli(['train', '--data', other, '--spec', path.join(dir, 'spec.json'), '--epochs', '1']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^run 1: completed$/m);
    const lines = r.stderr.split('\n').filter((l) => l.includes(`skipped image ${bad.id} `));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(path.basename(bad.stored_path));
    expect(lines[0]).toMatch(/cannot be read: .+/);
  });
});
