import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encode as encodeBmp } from 'fast-bmp';
import sharp, { type Sharp } from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../electron/importer/importer.js';
import { Project } from '../../electron/domain/project.js';
import { projectStats } from '../../electron/services/index.js';
import { mnistDir, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let project: Project;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  project = Project.open(path.join(dir, 'data'));
});
// Stored copies are fsynced; removing 10,000 of them takes tens of seconds on a busy disk.
afterEach(() => {
  project.close();
  cleanup();
}, 120_000);

const importInto = (paths: string[], extra: { maxPixels?: number; onProgress?: (d: number, t: number) => void } = {}) =>
  runImport({ store: project.store, dataDir: project.dataDir }, { paths, ...extra });

/** A noisy image, so that every file has distinct content. */
async function noisy(width: number, height: number, seed: number): Promise<Sharp> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 977) % 251;
  return sharp(data, { raw: { width, height, channels: 3 } });
}

async function buildMixedFolder(root: string): Promise<void> {
  mkdirSync(path.join(root, 'nested', 'deeper'), { recursive: true });
  await (await noisy(40, 20, 1)).png().toFile(path.join(root, 'good.png'));
  await (await noisy(30, 30, 2)).jpeg().toFile(path.join(root, 'photo.jpg'));
  await (await noisy(33, 21, 3)).webp({ lossless: true }).toFile(path.join(root, 'nested', 'crop.webp'));
  await (await noisy(25, 25, 4)).gif().toFile(path.join(root, 'nested', 'anim.gif'));
  await (await noisy(50, 20, 5)).tiff().toFile(path.join(root, 'nested', 'deeper', 'scan.tiff'));
  const bmpPixels = new Uint8Array(12 * 10 * 3).map((_, i) => (i * 7) % 256);
  writeFileSync(path.join(root, 'old.bmp'), encodeBmp({ width: 12, height: 10, data: bmpPixels, bitsPerPixel: 24, components: 3, channels: 3 }));
  // Same bytes as good.png under another name: a duplicate.
  writeFileSync(path.join(root, 'nested', 'copy-of-good.png'), readFileSync(path.join(root, 'good.png')));
  const full = await (await noisy(64, 64, 6)).png().toBuffer();
  writeFileSync(path.join(root, 'truncated.png'), full.subarray(0, Math.floor(full.length / 2)));
  writeFileSync(path.join(root, 'notes.jpg'), 'this is a text file, not a JPEG\n');
  writeFileSync(path.join(root, 'empty.png'), Buffer.alloc(0));
  await (await noisy(300, 300, 7)).png().toFile(path.join(root, 'huge.png'));
  writeFileSync(path.join(root, 'README.txt'), 'not an image');
  writeFileSync(
    path.join(root, 'labels.csv'),
    [
      'file,digits,length,font_style,script,colour',
      'good.png,123,,serif,latin,red', // length derived: 3
      'photo.jpg,?,2,,,', // digits unreadable, length known
      'nested/crop.webp,12a,,sans,,', // bad digits: reported, font_style still applied
      'old.bmp,,,comic,cyrillic,', // a new class for font_style
      'anim.gif,9876543,,,,', // longer than 5: length '>5'
      'missing.png,1,,,,',
    ].join('\n'),
  );
}

describe('folder import', () => {
  it('imports good images, skips duplicates, reports every bad file by name and reason, applies labels', async () => {
    const src = path.join(dir, 'src');
    mkdirSync(src);
    await buildMixedFolder(src);
    const progress: [number, number][] = [];
    const summary = await importInto([src], { maxPixels: 200 * 200, onProgress: (d, t) => progress.push([d, t]) });

    expect(summary.imported).toBe(6); // png, jpg, webp, gif, tiff, bmp
    expect(summary.duplicates).toBe(1);
    const reasons = Object.fromEntries(summary.rejected.map((r) => [r.item, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['empty.png', 'huge.png', 'notes.jpg', 'truncated.png']);
    expect(reasons['empty.png']).toMatch(/empty file/);
    expect(reasons['notes.jpg']).toMatch(/not an image/);
    expect(reasons['truncated.png']).toMatch(/corrupt or truncated/);
    expect(reasons['huge.png']).toBe('image is 300x300 (90000 pixels), over the limit of 40000 pixels');
    expect(summary.ignored.map((f) => path.basename(f))).toEqual(['README.txt']);
    expect(progress.at(-1)).toEqual([11, 11]);
    expect(progress.map(([d]) => d)).toEqual([...progress.map(([d]) => d)].sort((a, b) => a - b));

    const { store } = project;
    const byName = (name: string) => store.images.get(store.images.idsByName(name)[0]!)!;
    const label = (name: string, target: string) => {
      const t = store.targets.byName(target)!;
      const a = store.annotations.one(byName(name).id, t.id, 'human');
      return a ? (a.state === 'unknown' ? '?' : (a.class_name ?? a.text_value)) : undefined;
    };
    expect(label('good.png', 'digits')).toBe('123');
    expect(label('good.png', 'length')).toBe('3');
    // A labels file's labels are imported (not typed here); a length that follows imported digits is derived from them.
    const origin = (name: string, target: string) => store.annotations.one(byName(name).id, store.targets.byName(target)!.id, 'human')?.origin;
    expect([origin('good.png', 'digits'), origin('good.png', 'length'), origin('good.png', 'font_style')]).toEqual(['imported', 'derived', 'imported']);
    expect([origin('photo.jpg', 'digits'), origin('photo.jpg', 'length')]).toEqual(['imported', 'imported']);
    expect(label('good.png', 'font_style')).toBe('serif');
    expect(label('photo.jpg', 'digits')).toBe('?');
    expect(label('photo.jpg', 'length')).toBe('2');
    expect(label('photo.jpg', 'script')).toBeUndefined();
    expect(label('nested/crop.webp', 'digits')).toBeUndefined();
    expect(label('nested/crop.webp', 'font_style')).toBe('sans');
    expect(label('old.bmp', 'font_style')).toBe('comic');
    expect(label('nested/anim.gif', 'length')).toBe('>5');
    expect(summary.createdClasses).toEqual(['font_style:comic']);
    const problems = summary.labelProblems.map((p) => `${p.item}: ${p.reason}`).join('\n');
    expect(problems).toMatch(/labels\.csv line 4: digits: '12a' is not a valid digits value: character 'a'/);
    expect(problems).toMatch(/column 'colour'.*no target named 'colour'/);
    expect(problems).toMatch(/1 labelled file name\(s\) matched no image.*missing\.png/);

    // Stored copies are in the project; formats a browser cannot show are stored as PNG.
    const tiff = byName('nested/deeper/scan.tiff');
    expect(tiff.format).toBe('tiff');
    expect(tiff.stored_path).toMatch(/^images\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    expect(existsSync(path.join(project.dataDir, tiff.stored_path))).toBe(true);
    expect([byName('old.bmp').width, byName('old.bmp').height]).toEqual([12, 10]);
    // A crop at or under the thumbnail size is its own thumbnail: nothing stored, the image is served.
    expect(store.images.thumbnail(byName('good.png').id)).toBeUndefined();

    // Importing the same folder again adds nothing and loses nothing.
    const again = await importInto([src], { maxPixels: 200 * 200 });
    expect(again.imported).toBe(0);
    expect(again.duplicates).toBe(7);
    expect(store.images.count()).toBe(6);
    expect(label('good.png', 'digits')).toBe('123');
  });

  it('reports a path that does not exist and a malformed labels file, and goes on', async () => {
    const src = path.join(dir, 'src');
    mkdirSync(src);
    await (await noisy(20, 20, 9)).png().toFile(path.join(src, 'a.png'));
    writeFileSync(path.join(src, 'labels.csv'), 'file,digits\n"a.png,1\n');
    writeFileSync(path.join(src, 'more.jsonl'), '{"file":"a.png","script":"greek"}\nnot json\n[1]\n');
    const summary = await importInto([src, path.join(dir, 'nope')]);
    expect(summary.imported).toBe(1);
    expect(summary.rejected).toEqual([{ item: path.join(dir, 'nope'), reason: 'no such file or folder' }]);
    const problems = summary.labelProblems.map((p) => `${p.item}: ${p.reason}`);
    expect(problems).toContainEqual('labels.csv line 2: a quote opened on this line is not closed on it; this row was skipped');
    expect(problems).toContainEqual(expect.stringMatching(/^more\.jsonl line 2: not valid JSON/));
    expect(problems).toContainEqual('more.jsonl line 3: expected a JSON object');
    const stats = projectStats(project.store);
    expect(stats.targets.find((t) => t.name === 'script')!.classes.find((c) => c.name === 'greek')!.count).toBe(1);
  });
});

describe('MNIST IDX import', () => {
  it('imports the 10,000 real MNIST test digits with a label histogram matching the label file', async () => {
    const images = path.join(mnistDir, 't10k-images-idx3-ubyte.gz');
    const labels = path.join(mnistDir, 't10k-labels-idx1-ubyte.gz');
    expect(existsSync(images), `${images} is needed by this test`).toBe(true);
    const summary = await importInto([images, labels]);
    expect(summary.rejected).toEqual([]);
    expect(summary.imported).toBe(10_000);
    expect(summary.duplicates).toBe(0);

    const raw = gunzipSync(readFileSync(labels)).subarray(8);
    const expected = new Map<string, number>();
    for (const l of raw) expected.set(String(l), (expected.get(String(l)) ?? 0) + 1);
    // The published t10k class counts.
    expect([...expected.entries()].sort().map(([, n]) => n)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);

    const stats = projectStats(project.store);
    const digits = stats.targets.find((t) => t.name === 'digits')!;
    expect(digits.labeled).toBe(10_000);
    expect(new Map(digits.topValues!.map((v) => [v.value, v.count]))).toEqual(expected);
    const length = stats.targets.find((t) => t.name === 'length')!;
    expect(length.classes.find((c) => c.name === '1')!.count).toBe(10_000);

    const first = project.store.images.get(1)!;
    expect([first.width, first.height, first.original_name]).toEqual([28, 28, 't10k-images-idx3-ubyte.gz#00000']);
    const storedFile = path.join(project.dataDir, first.stored_path);
    expect((await sharp(storedFile).metadata()).channels).toBe(1);
    const stored = await sharp(storedFile).extractChannel(0).raw().toBuffer();
    const pixels = gunzipSync(readFileSync(images)).subarray(16, 16 + 784);
    expect(Buffer.compare(stored, pixels)).toBe(0);
  });
});
