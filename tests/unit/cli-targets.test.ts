import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

function ok(args: string[]): string {
  const r = cli(args);
  expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

interface Listed {
  targets: { name: string; kind: string; alphabet: string | null; maxLength: number | null; classes: { name: string }[] }[];
  stats: { name: string; labeled: number; unknown: number }[];
}
const listed = (data: string) => JSON.parse(ok(['targets', '--data', data, '--json'])) as Listed;

describe('polyhead targets', () => {
  let sample = '';
  let scriptLabels = 0;

  it('lists and adds targets (categorical, and sequences with or without a length target)', () => {
    sample = path.join(dir, 'sample');
    const data = sample;
    ok(['import', '--data', data, sampleDir]);
    const rows = readFileSync(path.join(sampleDir, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
    scriptLabels = rows.filter((r) => r.split(',')[4]).length;
    expect(scriptLabels).toBeGreaterThan(0);

    const text = ok(['targets', '--data', data]);
    expect(text).toMatch(/^digits \(sequence\): alphabet '0123456789' \(10 characters\), up to 5 positions modelled$/m);
    expect(text).toMatch(/^length \(length\): follows 'digits'; classes 0, 1, 2, 3, 4, 5, >5$/m);
    expect(text).toMatch(/^script \(categorical\): classes latin, cyrillic/m);
    expect(text).toMatch(/^ {2}labels: \d+ value\(s\), \d+ unknown, \d+ not looked at$/m);
    expect(listed(data).stats.find((s) => s.name === 'script')!.labeled + listed(data).stats.find((s) => s.name === 'script')!.unknown).toBe(scriptLabels);

    expect(ok(['targets', 'add', 'background', '--classes', 'plain, textured,photo', '--data', data])).toMatch(
      /added categorical target 'background' with 3 classes: plain, textured, photo/,
    );
    expect(ok(['targets', 'add', 'word', '--alphabet', 'abcé -', '--max-length', '3', '--data', data])).toMatch(
      /added sequence target 'word': alphabet 'abcé -' \(6 characters\), up to 3 positions modelled; its length target 'word_length' has classes 0, 1, 2, 3, >3/,
    );
    // The parent's --data serves a subcommand given after it.
    ok(['targets', '--data', data, 'add', 'plate', '--alphabet', '0123456789ABC', '--max-length', '7', '--no-length']);
    const after = listed(data).targets;
    expect(after.find((t) => t.name === 'word')).toMatchObject({ kind: 'sequence', alphabet: 'abcé -', maxLength: 3 });
    expect(after.find((t) => t.name === 'word_length')!.classes.map((c) => c.name)).toEqual(['0', '1', '2', '3', '>3']);
    expect(after.some((t) => t.name === 'plate_length')).toBe(false);

    const both = cli(['targets', 'add', 'x', '--classes', 'a', '--alphabet', 'ab', '--data', data]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give either --classes a,b,c .* or --alphabet CHARS --max-length N/);
    expect(cli(['targets', 'add', 'x', '--alphabet', 'ab', '--data', data]).stderr).toMatch(/needs --max-length N/);
    const twice = cli(['targets', 'add', 'word', '--classes', 'a', '--data', data]);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(/A target named 'word' already exists/);
    expect(cli(['targets', 'add', 'dup', '--alphabet', 'aba', '--max-length', '2', '--data', data]).stderr).toMatch(/the alphabet has 'a' twice/);
  });

  it('renames and removes targets; removing labels asks for --force and says how many', () => {
    const data = sample;
    // Rename keeps the labels.
    expect(ok(['targets', 'rename', 'script', 'writing_system', '--data', data])).toMatch(/renamed target 'script' to 'writing_system'/);
    const renamed = listed(data).stats.find((s) => s.name === 'writing_system')!;
    expect(renamed.labeled + renamed.unknown).toBe(scriptLabels);
    expect(cli(['targets', 'rename', 'nope', 'x', '--data', data]).stderr).toMatch(/no target named 'nope' \(targets: digits, length/);

    // Remove: refused without --force (no terminal to ask on), saying how many labels go; nothing removed.
    const refused = cli(['targets', 'remove', 'writing_system', '--data', data]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `'writing_system' has ${scriptLabels} human labels and 0 model predictions; removing it deletes them and cannot be undone; nothing was removed (pass --force to remove it)`,
    );
    expect(listed(data).targets.some((t) => t.name === 'writing_system')).toBe(true);
    expect(ok(['targets', 'remove', 'writing_system', '--force', '--data', data])).toMatch(
      new RegExp(`removed 'writing_system': ${scriptLabels} human label\\(s\\) and 0 model prediction\\(s\\) deleted`),
    );
    // A target without labels goes without --force; a sequence takes its length target with it.
    expect(ok(['targets', 'remove', 'background', '--data', data])).toMatch(/removed 'background': 0 human label/);
    expect(cli(['targets', 'remove', 'digits', '--data', data]).stderr).toMatch(/'digits' \(with its length target 'length'\) has \d+ human labels/);
    expect(ok(['targets', 'remove', 'digits', '--force', '--data', data])).toMatch(/removed 'digits' and 'length'/);
    expect(listed(data).targets.map((t) => t.name)).toEqual(['font_style', 'word', 'word_length', 'plate']);
    // Reopening the project does not bring the default targets back.
    expect(listed(data).targets.map((t) => t.name)).not.toContain('digits');
  });

  it('starts a project without the default targets; a labels column naming a missing target says how to create it', () => {
    const data = path.join(dir, 'empty');
    expect(ok(['init', '--no-default-targets', '--data', data])).toMatch(/^targets: none yet/m);
    expect(ok(['targets', '--data', data])).toMatch(/^no targets \(add one with/);

    const src = path.join(dir, 'crops');
    mkdirSync(src);
    for (const name of ['hn-0000.png', 'hn-0001.png']) copyFileSync(path.join(sampleDir, name), path.join(src, name));
    writeFileSync(path.join(src, 'labels.csv'), 'file,colour\nhn-0000.png,red\nhn-0001.png,dark blue\n');
    const imported = ok(['import', '--data', data, src]);
    expect(imported).toContain(
      `column 'colour': no target named 'colour' in this project; the column was ignored. Create it, then import again: polyhead targets add colour --classes 'red,dark blue' --data ${data}`,
    );
    ok(['targets', 'add', 'colour', '--classes', 'red,dark blue', '--data', data]);
    expect(ok(['import', '--data', data, src])).toMatch(/^labels: +2 applied$/m);
    expect(listed(data).stats).toEqual([expect.objectContaining({ name: 'colour', labeled: 2 })]);
  });

  it('imports OCR transcripts into a sequence target, naming each file with characters outside the alphabet', () => {
    const data = path.join(dir, 'ocr');
    ok(['init', '--no-default-targets', '--data', data]);
    ok(['targets', 'add', 'line', '--alphabet', '0123456789', '--max-length', '5', '--data', data]);
    const src = path.join(dir, 'lines');
    mkdirSync(src);
    ['hn-0002.png', 'hn-0003.png', 'hn-0004.png'].forEach((name, i) => {
      copyFileSync(path.join(sampleDir, name), path.join(src, name));
      writeFileSync(path.join(src, name.replace('.png', '.gt.txt')), ['42\n', '4x2\n', '7\n'][i]!);
    });
    const without = ok(['import', '--data', data, src]);
    expect(without).toMatch(/^transcripts: 3 OCR transcript\(s\) \(NAME.gt.txt\) found, not read: give --transcripts TARGET/m);
    const read = ok(['import', '--data', data, '--transcripts', 'line', src]);
    expect(read).toMatch(/^transcripts: 2 of 3 read into 'line'$/m);
    expect(read).toMatch(/^ {2}- hn-0003.gt.txt: character 'x' not in the alphabet of 'line'; not labeled \(--extend-alphabet adds them\)$/m);
    expect(read).toMatch(/^labels: +2 applied$/m);
    const missing = cli(['import', '--data', data, '--transcripts', 'text', src]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no target named 'text'; create it first, e.g. `polyhead targets add text --alphabet CHARS --max-length N --data DIR`/);
    expect(cli(['import', '--data', data, '--extend-alphabet', src]).status).toBe(2);
  });
});
