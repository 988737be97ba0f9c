/** Issue 13 point 8, the label files and headers: a bad row loses that row, not the file; what cannot be a label is reported. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { runImport } from '../../electron/importer/importer.js';
import { tempDir } from '../helpers.js';

let dir: string;
let src: string;
let cleanup: () => void;
let project: Project;
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = Project.open(path.join(dir, 'data'));
  src = path.join(dir, 'src');
  mkdirSync(src);
  for (let i = 0; i < 6; i++) {
    const data = Buffer.alloc(20 * 12 * 3, (i * 40 + 7) % 256);
    await sharp(data, { raw: { width: 20, height: 12, channels: 3 } })
      .png()
      .toFile(path.join(src, `${'abcdef'[i]}.png`));
  }
});
afterEach(() => {
  project.close();
  cleanup();
});

const importSrc = (paths = [src], maxPixels?: number) => runImport({ store: project.store, dataDir: project.dataDir }, { paths, maxPixels });
const problems = (summary: { labelProblems: { item: string; reason: string }[] }) => summary.labelProblems.map((p) => `${p.item}: ${p.reason}`);

function digitsOf(name: string): string | undefined {
  const id = project.store.images.idsByName(name)[0]!;
  return project.store.annotations.one(id, project.store.targets.byName('digits')!.id, 'human')?.text_value ?? undefined;
}

describe('CSV labels files', () => {
  it('a ragged row and an unclosed quote lose their own rows; every other row is applied', async () => {
    writeFileSync(
      path.join(src, 'labels.csv'),
      ['file,digits,script', 'a.png,1,latin', 'b.png,2', 'c.png,"3,greek', 'd.png,4,latin', '', 'e.png,5,x,extra', 'f.png,6,latin'].join('\n'),
    );
    const summary = await importSrc();
    expect(summary.imported).toBe(6);
    expect(problems(summary)).toEqual([
      'labels.csv line 3: a different number of cells than the header has (Invalid Record Length: expect 3, got 2); this row was skipped',
      'labels.csv line 4: a quote opened on this line is not closed on it; this row was skipped',
      'labels.csv line 7: a different number of cells than the header has (Invalid Record Length: expect 3, got 4); this row was skipped',
    ]);
    expect(['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png'].map(digitsOf)).toEqual(['1', undefined, undefined, '4', undefined, '6']);
  });

  it('a header that names a column twice is an error for that file, and no label of it is applied', async () => {
    writeFileSync(path.join(src, 'labels.csv'), 'file,digits,digits\na.png,1,2\n');
    const summary = await importSrc();
    expect(summary.imported).toBe(6);
    expect(problems(summary)).toEqual(["labels.csv: the header names 'digits' more than once: which one holds the labels is unclear; the file was not read"]);
    expect(summary.labelsApplied).toBe(0);
  });

  it("a '__proto__' column is reported and changes nothing", async () => {
    writeFileSync(path.join(src, 'labels.csv'), 'file,__proto__,digits\na.png,x,7\n');
    const summary = await importSrc();
    expect(problems(summary)).toEqual(["labels.csv line 2: '__proto__' cannot name a target; ignored"]);
    expect(digitsOf('a.png')).toBe('7');
  });
});

describe('JSONL labels files', () => {
  it('reports object and list values and __proto__ keys, and applies the rest of the line', async () => {
    writeFileSync(
      path.join(src, 'labels.jsonl'),
      [
        '{"file":"a.png","digits":{"value":"1"},"script":"latin"}',
        '{"file":"b.png","__proto__":{"digits":"9"},"digits":"2"}',
        '{"file":"c.png","digits":["3"]}',
      ].join('\n'),
    );
    const summary = await importSrc();
    expect(problems(summary)).toEqual([
      'labels.jsonl line 1: digits: an object is not a label value (give a string, a number, or null for unknown); ignored',
      "labels.jsonl line 2: '__proto__' cannot name a target; ignored",
      'labels.jsonl line 3: digits: a list is not a label value (give a string, a number, or null for unknown); ignored',
    ]);
    expect(['a.png', 'b.png', 'c.png'].map(digitsOf)).toEqual([undefined, '2', undefined]);
    expect(summary.labelsApplied).toBeGreaterThan(0);
  });
});

describe('IDX label files', () => {
  it('rejects labels outside 0–9 by item and imports those images without a label', async () => {
    const count = 3;
    const pixels = Buffer.alloc(count * 4 * 4);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13) % 256;
    const header = Buffer.alloc(16);
    header.writeUInt32BE(0x803, 0);
    header.writeUInt32BE(count, 4);
    header.writeUInt32BE(4, 8);
    header.writeUInt32BE(4, 12);
    const labels = Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, count]), Buffer.from([7, 12, 255])]);
    const idxDir = path.join(dir, 'idx');
    mkdirSync(idxDir);
    writeFileSync(path.join(idxDir, 'tiny-images-idx3-ubyte.gz'), gzipSync(Buffer.concat([header, pixels])));
    writeFileSync(path.join(idxDir, 'tiny-labels-idx1-ubyte.gz'), gzipSync(labels));
    const summary = await importSrc([idxDir]);
    expect(summary.imported).toBe(3);
    expect(problems(summary)).toEqual([
      'tiny-images-idx3-ubyte.gz#00001: IDX label 12 is outside 0–9; the image was imported without a digits label',
      'tiny-images-idx3-ubyte.gz#00002: IDX label 255 is outside 0–9; the image was imported without a digits label',
    ]);
    expect(digitsOf('tiny-images-idx3-ubyte.gz#00000')).toBe('7');
    // A label from the IDX labels file is a person's label from elsewhere: imported, not typed here.
    const first = project.store.images.idsByName('tiny-images-idx3-ubyte.gz#00000')[0]!;
    expect(project.store.annotations.one(first, project.store.targets.byName('digits')!.id, 'human')?.origin).toBe('imported');
    expect(digitsOf('tiny-images-idx3-ubyte.gz#00001')).toBeUndefined();
  });
});

describe('the pixel limit', () => {
  it("is checked from a BMP's header, before its pixels are decoded", async () => {
    // A 1-bit BMP header announcing 30000 x 30000 (900 MP), followed by far fewer bytes than that:
    // decoding it first would fail differently (or take seconds and a gigabyte, as the issue saw).
    const bmp = Buffer.alloc(62 + 4096);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(bmp.length, 2);
    bmp.writeUInt32LE(62, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(30_000, 18);
    bmp.writeInt32LE(30_000, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(1, 28);
    writeFileSync(path.join(src, 'scan.bmp'), bmp);
    const summary = await importSrc();
    expect(summary.rejected).toEqual([{ item: 'scan.bmp', reason: 'image is 30000x30000 (900.0 MP), over the limit of 16.8 MP' }]);
    expect(summary.imported).toBe(6);
  });
});

describe('duplicates', () => {
  it('are listed with the image they duplicate, stored before or earlier in the same import', async () => {
    const first = await importSrc([path.join(src, 'a.png')]);
    expect(first.imported).toBe(1);
    const again = path.join(dir, 'again');
    mkdirSync(again);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(path.join(src, 'a.png'), path.join(again, 'a-copy.png'));
    copyFileSync(path.join(src, 'b.png'), path.join(again, 'b1.png'));
    copyFileSync(path.join(src, 'b.png'), path.join(again, 'b2.png'));
    const summary = await importSrc([again]);
    const bId = project.store.images.idsByName('b1.png')[0]!;
    expect(summary.duplicateItems).toEqual([
      { item: 'a-copy.png', of: 'a.png', imageId: project.store.images.idsByName('a.png')[0]! },
      { item: 'b2.png', of: 'b1.png', imageId: bId },
    ]);
  });
});
