/** Issue 13 points 1 and 2 on the command line: export-labels and export-dataset, nothing overwritten without --force. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../electron/store/store.js';
import { cli } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';
import { writeDistinctPng } from '../image-fixtures.js';

let dir: string;
let cleanup: () => void;
let data: string;
const files = ['serif/s1.png', 'serif/s2.png', 'sans/n1.png', 'sans/n2.png', 'loose/x.png', 'other/serif/s1.png'];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const src = path.join(dir, 'src');
  for (const [i, f] of files.entries()) await writeDistinctPng(path.join(src, f), i + 11);
  writeFileSync(
    path.join(src, 'labels.csv'),
    [
      'file,font_style,digits',
      'serif/s1.png,serif,12',
      'serif/s2.png,serif,',
      'sans/n1.png,sans,7',
      'sans/n2.png,sans,',
      'loose/x.png,?,',
      'other/serif/s1.png,serif,',
    ].join('\n'),
  );
  data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, src]);
  expect(imported.status, imported.stderr).toBe(0);
});
afterAll(() => cleanup?.());

describe('polyhead export-labels', () => {
  it('writes the labels file the extension asks for, refuses to overwrite it without --force, and filters', () => {
    const out = path.join(dir, 'labels.csv');
    const first = cli(['export-labels', '--data', data, '--out', out]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(`wrote 6 row(s) to ${out}\n`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]!.startsWith('file,sha256,digits,digits:source,')).toBe(true);
    // The labels came with the import: their source says so (not 'human', which is typed here).
    expect(lines.find((l) => l.startsWith('serif/s1.png,'))).toMatch(/,12,imported,,,2,derived,,,serif,imported,,,,,,$/);

    const again = cli(['export-labels', '--data', data, '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/exists; nothing was written \(--force overwrites it\)/);
    const forced = cli(['export-labels', '--data', data, '--out', out, '--force', '--target', 'font_style', '--class', 'font_style=serif']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1 + 3);

    const jsonl = path.join(dir, 'labels.jsonl');
    expect(cli(['export-labels', '--data', data, '--out', jsonl, '--labeled', '--target', 'digits']).status).toBe(0);
    expect(
      readFileSync(jsonl, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { file: string }).file),
    ).toEqual(['sans/n1.png', 'serif/s1.png']);

    const badExt = cli(['export-labels', '--data', data, '--out', path.join(dir, 'labels.txt')]);
    expect(badExt.status).toBe(2);
    expect(badExt.stderr).toMatch(/--out must end in \.csv or \.jsonl/);
    const badClass = cli(['export-labels', '--data', data, '--out', path.join(dir, 'c.csv'), '--class', 'font_style=comic']);
    expect(badClass.status).toBe(2);
    expect(badClass.stderr).toMatch(/'comic' is not a class of font_style/);
    expect(existsSync(path.join(dir, 'c.csv'))).toBe(false);
  });
});

describe('polyhead export-dataset', () => {
  it('folders: one folder per class (unknown left out and said), names kept unique, nothing overwritten without --force', () => {
    const out = path.join(dir, 'ds');
    const result = cli(['export-dataset', '--data', data, '--out', out, '--format', 'folders', '--target', 'font_style', '--json']);
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { images: number; counts: Record<string, number>; skipped: { reason: string; count: number }[] };
    expect(summary.images).toBe(5);
    expect(summary.counts).toEqual({ serif: 3, sans: 2 });
    expect(summary.skipped).toEqual([{ reason: 'font_style is unknown', count: 1, examples: ['loose/x.png'] }]);
    expect(readdirSync(out).sort()).toEqual(['sans', 'serif']);
    // Two images named s1.png: the second keeps its name with its image id.
    expect(readdirSync(path.join(out, 'serif')).sort()).toEqual(['s1-5.png', 's1.png', 's2.png']);

    const again = cli(['export-dataset', '--data', data, '--out', out, '--format', 'folders', '--target', 'font_style']);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/is not empty \(5 file\(s\)\); nothing was written/);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const forced = cli(['export-dataset', '--data', data, '--out', out, '--format', 'folders', '--target', 'font_style', '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/warning: 1 file\(s\) in the folder are not part of this export and were left as they were: notes\.txt/);
  });

  it("folders by a run's split: train/val/test, and labeled images outside the split are said", () => {
    const store = Store.open(path.join(data, 'polyhead.sqlite'));
    const runId = store.runs.create('split', {}, 1);
    store.runs.setSplit(runId, { train: [[1], [3]], validation: [[2]], test: [[4]] });
    store.close();
    const out = path.join(dir, 'split');
    const result = cli([
      'export-dataset',
      '--data',
      data,
      '--out',
      out,
      '--format',
      'folders',
      '--target',
      'font_style',
      '--split-run',
      String(runId),
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { counts: Record<string, number>; skipped: { reason: string; count: number }[] };
    expect(summary.counts).toEqual({ 'train/sans': 1, 'val/serif': 1, 'test/sans': 1 });
    expect(summary.skipped.map((s) => [s.reason, s.count])).toEqual([
      ['font_style is unknown', 1],
      [`not in run ${runId}'s split (labeled or imported after it started)`, 2],
    ]);
    expect(readdirSync(out).sort()).toEqual(['test', 'train', 'val']);
  });

  it('jsonl: images/ and a manifest with every target that Polyhead imports back', () => {
    const out = path.join(dir, 'manifest');
    const result = cli(['export-dataset', '--data', data, '--out', out, '--format', 'jsonl']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote 6 image\(s\) to /);
    const rows = readFileSync(path.join(out, 'manifest.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ file: 'images/x.png', sha256: expect.any(String), font_style: null, 'font_style:source': 'imported' });
    const s1 = rows.find((r) => r.file === 'images/s1-5.png')!; // serif/s1.png, after other/serif/s1.png took the name
    expect(s1).toMatchObject({ digits: '12', 'digits:source': 'imported', length: '2', 'length:source': 'derived', font_style: 'serif' });
    expect(readdirSync(path.join(out, 'images'))).toHaveLength(6);
    // The folder imports into a new project with the same labels.
    const copy = path.join(dir, 'reimported');
    const imported = cli(['import', '--data', copy, out, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 6, labelProblems: [] });
    const info = JSON.parse(cli(['info', '--data', copy, '--json']).stdout) as { targets: { name: string; labeled: number; unknown: number }[] };
    expect(info.targets.find((t) => t.name === 'font_style')).toMatchObject({ labeled: 5, unknown: 1 });
  });
});
