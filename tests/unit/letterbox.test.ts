import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelSpec, storedSpec, type InputSpec } from '../../shared/model-spec.js';
import { Project } from '../../electron/domain/project.js';
import { decodeImages } from '../../electron/engine/data.js';
import { decodeInto, describePreprocessing, type ResizeMode } from '../../electron/engine/decode.js';
import { runImport } from '../../electron/importer/importer.js';
import { tempDir } from '../helpers.js';

// Issue 12, fault 8: images were stretched (sharp fit 'fill') although the schema said letterboxed.
let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

/** A width x height PNG of `background` with a `box` rectangle of `ink` (RGB). */
async function png(
  name: string,
  width: number,
  height: number,
  box: { left: number; top: number; width: number; height: number },
  ink = [0, 0, 0],
  background = [200, 200, 200],
) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const inBox = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
      data.set(inBox ? ink : background, (y * width + x) * 3);
    }
  const file = path.join(dir, `${name}.png`);
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
  return file;
}

const input = (resize: ResizeMode, channels: 1 | 3 = 1, height = 64, width = 64): InputSpec => ({ name: 'x', height, width, channels, resize });

async function decode(file: string, spec: InputSpec) {
  const out = new Float32Array(spec.height * spec.width * spec.channels);
  const place = await decodeInto(file, spec, out);
  const at = (y: number, x: number, k = 0) => out[(y * spec.width + x) * spec.channels + k]!;
  /** Rows and columns where the ink (the darkest value) is. */
  const ink = () => {
    const min = Math.min(...out);
    const rows = new Set<number>();
    const cols = new Set<number>();
    for (let y = 0; y < spec.height; y++)
      for (let x = 0; x < spec.width; x++)
        if (at(y, x) < min + 0.5) {
          rows.add(y);
          cols.add(x);
        }
    return { top: Math.min(...rows), bottom: Math.max(...rows), left: Math.min(...cols), right: Math.max(...cols) };
  };
  return { out, place, at, ink };
}

describe('resizing an input', () => {
  it('letterboxes a 4:1 crop: aspect kept, centred, padded rows of the border mean', async () => {
    // 200x50, a 100x24 black box in the middle of a grey background.
    const file = await png('wide', 200, 50, { left: 50, top: 13, width: 100, height: 24 });
    const { place, at, ink, out } = await decode(file, input('letterbox'));
    expect(place).toEqual({ top: 24, left: 0, height: 16, width: 64 });
    const background = at(place.top, 0); // the content's border is the grey background
    for (const y of [...Array(24).keys(), ...Array.from({ length: 24 }, (_, i) => 40 + i)])
      for (let x = 0; x < 64; x++) expect(at(y, x)).toBeCloseTo(background, 5);
    expect(at(23, 10)).toBeCloseTo(background, 5);
    // The box keeps its 100:24 aspect: 32 columns, about 7.7 rows.
    const box = ink();
    expect(Math.abs(box.right - box.left + 1 - 32)).toBeLessThanOrEqual(1);
    expect(box.bottom - box.top + 1).toBeGreaterThanOrEqual(7);
    expect(box.bottom - box.top + 1).toBeLessThanOrEqual(9);
    expect(box.top).toBeGreaterThanOrEqual(24);
    expect(box.bottom).toBeLessThan(40);
    // Standardized over the content only: zero mean, unit variance there.
    const content = out.subarray(24 * 64, 40 * 64);
    const mean = content.reduce((a, b) => a + b, 0) / content.length;
    const variance = content.reduce((a, b) => a + (b - mean) ** 2, 0) / content.length;
    expect(mean).toBeCloseTo(0, 4);
    expect(variance).toBeCloseTo(1, 3);
  });

  it('pads a tall crop left and right, per channel with the border colour', async () => {
    const file = await png('tall', 50, 200, { left: 10, top: 40, width: 30, height: 120 }, [0, 0, 255], [255, 0, 0]);
    const { place, at } = await decode(file, input('letterbox', 3));
    expect(place).toEqual({ top: 0, left: 24, height: 64, width: 16 });
    for (let k = 0; k < 3; k++) {
      const border = at(0, 24, k);
      for (let y = 0; y < 64; y++) for (const x of [0, 10, 23, 40, 50, 63]) expect(at(y, x, k)).toBeCloseTo(border, 5);
    }
    expect(at(5, 5, 0)).toBeGreaterThan(at(5, 5, 2)); // red padding
  });

  it('still stretches when asked, and crops the overflow', async () => {
    const file = await png('wide2', 200, 50, { left: 50, top: 13, width: 100, height: 24 });
    const stretched = await decode(file, input('stretch'));
    expect(stretched.place).toEqual({ top: 0, left: 0, height: 64, width: 64 });
    const box = stretched.ink();
    // 100x24 of 200x50 stretched to 64x64: 32 columns by about 31 rows; no padding rows.
    expect(Math.abs(box.right - box.left + 1 - 32)).toBeLessThanOrEqual(1);
    expect(box.bottom - box.top + 1).toBeGreaterThan(28);
    const cropped = await decode(file, input('crop'));
    expect(cropped.place).toEqual({ top: 0, left: 0, height: 64, width: 64 });
    // The central 50x50 is inside the box's columns: the box spans the full width, rows kept in proportion.
    const c = cropped.ink();
    expect([c.left, c.right]).toEqual([0, 63]);
    expect(c.bottom - c.top + 1).toBeGreaterThanOrEqual(30);
    expect(c.bottom - c.top + 1).toBeLessThanOrEqual(32);
  });

  it('an input that already has the aspect ratio is the same in every mode', async () => {
    const file = await png('square', 40, 40, { left: 10, top: 10, width: 20, height: 20 });
    const a = await decode(file, input('letterbox'));
    const b = await decode(file, input('stretch'));
    expect(Array.from(a.out)).toEqual(Array.from(b.out));
  });
});

describe('the data pipeline', () => {
  it('decodes a project image letterboxed by default (training and prediction both decode through it)', async () => {
    const folder = path.join(dir, 'import');
    const { mkdirSync, renameSync } = await import('node:fs');
    mkdirSync(folder, { recursive: true });
    renameSync(await png('line', 200, 50, { left: 50, top: 13, width: 100, height: 24 }), path.join(folder, 'line.png'));
    const project = Project.open(path.join(dir, 'project'));
    try {
      await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [folder] });
      const [id] = project.store.images.idsByName('line.png');
      const parsed = parseModelSpec({
        name: 's',
        inputs: [{ name: 'x', height: 64, width: 64 }],
        trunk: { preset: 'mlp' },
        heads: [{ name: 'h', target: { kind: 'target', target: 't' }, classes: ['a', 'b'] }],
      });
      if (!parsed.ok) throw new Error(parsed.errors.join());
      const decoded = await decodeImages(project, [id!], parsed.spec.inputs[0]!);
      const row = (y: number) => Array.from(decoded.pixels.subarray(y * 64, (y + 1) * 64));
      // Rows 0-23 are padding: one value, the background's; stretched, row 0 was the image's top row only by chance.
      for (let y = 0; y < 24; y++) expect(new Set(row(y)).size).toBe(1);
      expect(Math.min(...row(32))).toBeLessThan(-1); // the box, in the content rows
      expect(Math.min(...row(20))).toBeGreaterThan(0); // none of it in the padding (stretched, rows 17-47 held the box)
    } finally {
      project.close();
    }
  });
});

describe('the input spec', () => {
  const withInput = (i: object) =>
    parseModelSpec({
      name: 's',
      inputs: [{ name: 'x', ...i }],
      trunk: { preset: 'mlp' },
      heads: [{ name: 'h', target: { kind: 'target', target: 't' }, classes: ['a', 'b'] }],
    });

  it('letterboxes by default, takes stretch and crop, and sides up to 1024 within 512 x 512 pixels', () => {
    const ok = withInput({ height: 32, width: 1024 });
    expect(ok.ok && ok.spec.inputs[0]!.resize).toBe('letterbox');
    const crop = withInput({ height: 512, width: 512, resize: 'crop' });
    expect(crop.ok && crop.spec.inputs[0]!.resize).toBe('crop');
    expect(withInput({ height: 1024, width: 1024 })).toEqual({
      ok: false,
      errors: ['inputs.0.width: height x width may be at most 262144 pixels (512 x 512)'],
    });
    expect(withInput({ height: 32, width: 2048 }).ok).toBe(false);
    expect(withInput({ height: 32, width: 64, resize: 'pad' }).ok).toBe(false);
  });

  it('a run stored before resize existed reads back as stretched, as it was trained', () => {
    const old = { name: 's', inputs: [{ name: 'x', height: 32, width: 64, channels: 1 }], trunk: { preset: 'mlp' }, heads: [] };
    expect((storedSpec(old) as { inputs: { resize: string }[] }).inputs[0]!.resize).toBe('stretch');
    const current = { ...old, inputs: [{ ...old.inputs[0], resize: 'letterbox' }] };
    expect(storedSpec(current)).toEqual(current);
    expect(describePreprocessing(input('letterbox'))).toMatch(/^letterboxed to 64x64x1 \(aspect ratio kept/);
    expect(describePreprocessing(input('stretch', 3))).toMatch(/^stretched to 64x64x3.*sRGB/);
  });
});
