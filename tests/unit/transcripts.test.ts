import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { runImport } from '../../electron/importer/importer.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let runtime: Runtime;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  runtime = openRuntime(path.join(dir, 'data'), {}, { defaultTargets: false });
});
afterEach(() => {
  runtime.close();
  cleanup();
});

async function call<T>(method: string, payload: unknown): Promise<T> {
  const r = await runtime.dispatch(method, payload);
  if (!r.ok) throw new Error(r.error.message);
  return r.data as T;
}

/** A line image with distinct content per seed. */
async function lineImage(file: string, seed: number): Promise<void> {
  const data = Buffer.alloc(60 * 12 * 3).map((_, i) => (i * 13 + seed * 101) % 256);
  await sharp(data, { raw: { width: 60, height: 12, channels: 3 } })
    .png()
    .toFile(file);
}

/** OCR ground truth laid out as tesstrain / OCR-D / ocropus do: NAME.png (or NAME.bin.png) with NAME.gt.txt beside it. */
async function buildLines(root: string): Promise<void> {
  mkdirSync(path.join(root, 'page2'), { recursive: true });
  const lines: [image: string, transcript: string | Buffer | null][] = [
    ['l01.png', 'ab c\n'],
    ['l02.png', 'abé\n'], // 'é' is not in the alphabet
    ['page2/l03.bin.png', 'cab'], // ocropus: the binarized line shares its transcript's name
    ['l04.png', null], // no transcript: stays not looked at
    ['l05.png', 'ab\nc\n'], // two lines: not a line transcript
    ['l06.png', 'abcabc\n'], // longer than the 4 positions modelled: length '>4'
    ['l07.png', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ba\r\n')])], // BOM and CRLF
    ['l08.png', Buffer.from([0x61, 0xff, 0x62])], // not UTF-8
  ];
  for (const [i, [image, transcript]] of lines.entries()) {
    await lineImage(path.join(root, image), i);
    if (transcript !== null) writeFileSync(path.join(root, image.replace(/(\.bin)?\.png$/, '.gt.txt')), transcript);
  }
  writeFileSync(path.join(root, 'orphan.gt.txt'), 'abc\n'); // no image beside it
}

const importLines = (root: string, transcripts?: { target: string; extendAlphabet?: boolean }) =>
  runImport({ store: runtime.project.store, dataDir: runtime.project.dataDir }, { paths: [root], transcripts });

function labelOf(name: string, target: string): string | null | undefined {
  const { store } = runtime.project;
  const [id] = store.images.idsByName(name);
  const t = store.targets.byName(target)!;
  const row = store.annotations.one(id!, t.id, 'human');
  if (!row) return undefined; // not looked at
  return row.state === 'unknown' ? null : (row.text_value ?? row.class_name);
}

describe('OCR transcripts as a sequence target', () => {
  it('labels each line with its NAME.gt.txt; a character outside the alphabet is reported by file name and the rest is imported', async () => {
    const line = await call<TargetDef>('targets.createSequence', { name: 'line', alphabet: 'abc ', maxLength: 4 });
    const length = runtime.project.store.targets.lengthOf(line.id)!;
    expect(length.name).toBe('line_length');
    expect(length.classes.map((c) => c.name)).toEqual(['0', '1', '2', '3', '4', '>4']);

    const root = path.join(dir, 'lines');
    await buildLines(root);
    const summary = await importLines(root, { target: 'line' });

    expect(summary.imported).toBe(8);
    expect(summary.rejected).toEqual([]);
    expect(summary.ignored).toEqual([]);
    expect(summary.transcripts).toEqual({ target: 'line', files: 8, matched: 4, alphabetAdded: '' });
    expect(summary.labelProblems).toEqual(
      expect.arrayContaining([
        { item: 'l02.gt.txt', reason: "character 'é' not in the alphabet of 'line'; not labeled", remedy: 'extendAlphabet' },
        { item: 'l05.gt.txt', reason: 'has 2 lines; a transcript is one line (not labeled)' },
        { item: 'l08.gt.txt', reason: 'not valid UTF-8' },
        { item: path.join(root, 'orphan.gt.txt'), reason: 'no image beside it (orphan.png, .jpg, .tif, …); not used' },
      ]),
    );
    expect(summary.labelProblems).toHaveLength(4);

    expect(labelOf('l01.png', 'line')).toBe('ab c');
    expect(labelOf('l01.png', 'line_length')).toBe('4');
    // A transcript is a person's label from elsewhere: imported; its length follows it (derived).
    const l01 = runtime.project.store.images.idsByName('l01.png')[0]!;
    expect(runtime.project.store.annotations.one(l01, line.id, 'human')?.origin).toBe('imported');
    expect(runtime.project.store.annotations.one(l01, length.id, 'human')?.origin).toBe('derived');
    expect(labelOf('page2/l03.bin.png', 'line')).toBe('cab');
    expect(labelOf('page2/l03.bin.png', 'line_length')).toBe('3');
    expect(labelOf('l06.png', 'line')).toBe('abcabc');
    expect(labelOf('l06.png', 'line_length')).toBe('>4');
    expect(labelOf('l07.png', 'line')).toBe('ba');
    for (const name of ['l02.png', 'l04.png', 'l05.png', 'l08.png']) {
      expect(labelOf(name, 'line'), name).toBeUndefined();
      expect(labelOf(name, 'line_length'), name).toBeUndefined();
    }
  });

  it('extends the alphabet on request, and says how many transcripts were found when no target is named', async () => {
    await call('targets.createSequence', { name: 'line', alphabet: 'abc ', maxLength: 4, lengthName: null });
    expect(runtime.project.store.targets.list().map((t) => t.name)).toEqual(['line']);
    const root = path.join(dir, 'lines');
    await buildLines(root);

    const unread: ImportSummary = await importLines(root);
    expect(unread.transcripts).toEqual({ target: null, files: 8, matched: 0, alphabetAdded: '' });
    expect(unread.ignored).toEqual([]);
    expect(labelOf('l01.png', 'line')).toBeUndefined();

    // Imported again (every image a duplicate): transcripts fill the labels not looked at yet.
    const extended = await importLines(root, { target: 'line', extendAlphabet: true });
    expect(extended.duplicates).toBe(8);
    expect(extended.transcripts).toEqual({ target: 'line', files: 8, matched: 5, alphabetAdded: 'é' });
    expect(runtime.project.store.targets.byName('line')!.alphabet).toBe('abc é');
    expect(labelOf('l02.png', 'line')).toBe('abé');
    expect(labelOf('l01.png', 'line')).toBe('ab c');
  });

  it('refuses an import naming a missing or non-sequence target before it starts, saying how to create one', async () => {
    const missing = await runtime.dispatch('imports.start', { paths: [dir], transcripts: { target: 'line' } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.code).toBe('invalid_request');
      expect(missing.error.message).toContain('polyhead targets add line --alphabet CHARS --max-length N');
    }
    await call('targets.createCategorical', { name: 'font', classes: ['serif'] });
    const categorical = await runtime.dispatch('imports.start', { paths: [dir], transcripts: { target: 'font' } });
    expect(categorical.ok || categorical.error.message).toMatch(/'font' is a categorical target; transcripts label a sequence target/);
  });
});
