import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../electron/importer/importer.js';
import { Project } from '../../electron/domain/project.js';
import { readLabels } from '../../electron/engine/data.js';
import { FONT_CATALOG, findFonts } from '../../electron/synth/fonts.js';
import { contactSheet, synthesize, type SynthKind } from '../../electron/synth/generator.js';
import { repoRoot, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('polyhead synth', () => {
  it('finds the Debian fonts it needs (.ci/run installs them) and names the missing ones', () => {
    const { found, missing } = findFonts();
    expect(found.length, `fonts found: ${found.map((f) => f.family).join(', ')}`).toBeGreaterThanOrEqual(20);
    for (const group of ['serif', 'sans', 'mono', 'handwriting', 'display'])
      expect(
        found.some((f) => f.group === group),
        group,
      ).toBe(true);
    for (const script of ['latin', 'cyrillic', 'greek', 'arabic', 'hebrew', 'devanagari', 'thai', 'cjk']) {
      expect(
        found.some((f) => f.scripts.includes(script as never)),
        script,
      ).toBe(true);
    }
    expect(found.length + missing.length).toBe(FONT_CATALOG.length);
    expect(findFonts(['No Such Font']).found).toEqual([]);
  });

  for (const kind of ['house-numbers', 'script-words'] as SynthKind[]) {
    it(`${kind}: labels written, imported and read back from the store agree`, async () => {
      const out = path.join(dir, kind);
      const result = await synthesize({ out, kind, count: 100, seed: 9 });
      expect(result.written).toBe(100);
      await contactSheet(result, path.join(repoRoot, 'test-results', `synth-${kind}.png`));
      const rows = readFileSync(path.join(out, 'labels.csv'), 'utf8').trim().split('\n');
      const header = rows[0]!.split(',');
      expect(header).toEqual(kind === 'house-numbers' ? ['file', 'digits', 'length', 'font_style', 'script'] : ['file', 'font_style', 'script']);
      const project = Project.open(path.join(dir, `${kind}-project`));
      try {
        const summary = await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [out] });
        expect(summary.rejected).toEqual([]);
        expect(summary.labelProblems).toEqual([]);
        expect(summary.imported + summary.duplicates).toBe(100);
        const stored = readLabels(project);
        let checked = 0;
        for (const row of rows.slice(1)) {
          const [file, ...values] = row.split(',');
          const id = project.store.images.idsByName(file!)[0]!;
          header.slice(1).forEach((column, k) => expect(stored.value(id, column), `${file} ${column}`).toBe(values[k]));
          if (kind === 'house-numbers') {
            const digits = values[0]!;
            expect(values[1]).toBe(digits.length > 5 ? '>5' : String(digits.length));
            expect(digits).toMatch(/^[1-9][0-9]*$/);
          }
          checked++;
        }
        expect(checked).toBe(100);
        if (kind === 'script-words') expect(new Set(rows.slice(1).map((r) => r.split(',')[2])).size).toBeGreaterThanOrEqual(6);
      } finally {
        project.close();
      }
    });
  }

  it('holds out whole font families', async () => {
    const result = await synthesize({ out: path.join(dir, 'split'), kind: 'house-numbers', count: 120, seed: 4, holdout: 0.3 });
    expect(result.heldOut.length).toBeGreaterThan(0);
    const meta = (d: string) => JSON.parse(readFileSync(path.join(dir, 'split', d, 'synth-meta.json'), 'utf8')) as { fonts: Record<string, string> };
    const train = new Set(Object.values(meta('train').fonts));
    const heldout = new Set(Object.values(meta('heldout').fonts));
    for (const family of heldout) expect(train.has(family), family).toBe(false);
    for (const family of heldout) expect(result.heldOut).toContain(family);
    expect(Object.keys(meta('train').fonts).length + Object.keys(meta('heldout').fonts).length).toBe(120);
  });
});
