import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('polyhead CLI', () => {
  it('imports the bundled sample and prints a summary, then counts per target and class', () => {
    const data = path.join(dir, 'proj');
    const imported = cli(['import', '--data', data, sampleDir]);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^imported: +300$/m);
    expect(imported.stdout).toMatch(/^duplicates: +0 /m);
    expect(imported.stdout).toMatch(/^rejected: +0$/m);

    const rows = readFileSync(path.join(sampleDir, 'labels.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((r) => r.split(','));
    const info = cli(['info', '--data', data, '--json']);
    expect(info.status).toBe(0);
    const stats = JSON.parse(info.stdout) as { images: number; targets: { name: string; labeled: number; unknown: number; pending: number }[] };
    expect(stats.images).toBe(300);
    const digits = stats.targets.find((t) => t.name === 'digits')!;
    expect(digits.labeled).toBe(rows.filter((r) => r[1] && r[1] !== '?').length);
    expect(digits.unknown).toBe(rows.filter((r) => r[1] === '?').length);
    expect(digits.pending).toBe(300 - rows.filter((r) => r[1]).length);

    const text = cli(['info', '--data', data]);
    expect(text.stdout).toMatch(/^images: 300$/m);
    expect(text.stdout).toMatch(/^font_style \(categorical\): \d+ labeled, \d+ unknown, \d+ not yet looked at$/m);

    const again = cli(['import', '--data', data, sampleDir]);
    expect(again.stdout).toMatch(/^imported: +0$/m);
    expect(again.stdout).toMatch(/^duplicates: +300 /m);
  });

  it('explains usage errors and refuses a database from a newer version', () => {
    const noData = cli(['import', sampleDir]);
    expect(noData.status).toBe(2);
    expect(noData.stderr).toMatch(/--data DIR is required/);
    expect(cli(['frobnicate']).stderr).toMatch(/unknown command 'frobnicate'/);

    const data = path.join(dir, 'future');
    expect(cli(['init', '--data', data]).status).toBe(0);
    const db = new Database(path.join(data, 'polyhead.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    const refused = cli(['info', '--data', data]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/schema version 999.*newer Polyhead/);
  });
});
