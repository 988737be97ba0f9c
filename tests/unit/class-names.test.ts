/** Issue 13 point 7: one rule set for class names in the importer and the API, and case variants reported. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseVariantOf, nameProblem, normalizeName } from '../../shared/names.js';
import { importThroughApi, useTempProject, writeDistinctPng } from '../image-fixtures.js';

const temp = useTempProject();

/** Two distinct crops, a.png and b.png, with `csv` as their labels.csv, imported through the API. */
async function importCsv(csv: string) {
  const src = path.join(temp.dir, 'src');
  await writeDistinctPng(path.join(src, 'a.png'), 1);
  await writeDistinctPng(path.join(src, 'b.png'), 2);
  writeFileSync(path.join(src, 'labels.csv'), csv);
  return importThroughApi(temp.runtime, { paths: [src] });
}

const classesOf = (target: string) => temp.runtime.project.store.targets.byName(target)!.classes.map((c) => c.name);

describe('class names', () => {
  it('the shared rule: folder-style names pass; separators, dots only and the unknown markers do not', () => {
    expect(nameProblem('Japanese_(katakana)')).toBeNull();
    expect(nameProblem("Ge'ez")).toBeNull();
    expect(nameProblem('हिन्दी')).toBeNull(); // combining marks of Devanagari
    expect(nameProblem('a/b')).toMatch(/letters, digits/);
    expect(nameProblem('..')).toMatch(/only dots/);
    expect(nameProblem('Unknown')).toMatch(/unknown/);
    expect(nameProblem('x'.repeat(65))).toMatch(/longer than 64/);
    // A macOS folder name arrives decomposed (NFD): it is stored composed.
    expect(normalizeName(' Cafe\u0301 ')).toBe('Caf\u00e9');
    expect(caseVariantOf('Serif', ['serif', 'sans'])).toBe('serif');
    expect(caseVariantOf('serif', ['serif'])).toBeNull();
  });

  it('a class the importer creates from a CSV is one the API accepts, and the API accepts the same names', async () => {
    const summary = await importCsv('file,script\na.png,Japanese_(katakana)\nb.png,a/b\n');
    expect(summary.createdClasses).toEqual(['script:Japanese_(katakana)']);
    // The same rule refuses 'a/b' in the importer (by line) and in the API.
    expect(summary.labelProblems).toContainEqual({ item: 'labels.csv line 3', reason: expect.stringMatching(/a\/b.*letters, digits/) });
    const script = temp.runtime.project.store.targets.byName('script')!;
    const added = await temp.runtime.dispatch('targets.addClass', { targetId: script.id, name: 'Japanese_(hiragana)' });
    expect(added.ok).toBe(true);
    const created = await temp.runtime.dispatch('targets.createCategorical', { name: 'alphabet', classes: ['Japanese_(katakana)', 'Korean'] });
    expect(created.ok).toBe(true);
    const refused = await temp.runtime.dispatch('targets.addClass', { targetId: script.id, name: 'a/b' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.issues?.[0]?.message).toMatch(/letters, digits/);
    const unknown = await temp.runtime.dispatch('targets.addClass', { targetId: script.id, name: 'unknown' });
    expect(unknown.ok).toBe(false);
    const keyColumn = await temp.runtime.dispatch('targets.createCategorical', { name: 'file' });
    expect(keyColumn.ok).toBe(false);
  });

  it('a class differing only by case from an existing one is reported by the importer and refused by the API, never created', async () => {
    const summary = await importCsv('file,font_style,script\na.png,Serif,Greek\nb.png,serif,greek\n');
    expect(summary.labelProblems).toContainEqual({
      item: 'labels.csv line 2',
      reason: expect.stringMatching(/'Serif' differs only by case from the class 'serif'/),
    });
    expect(summary.labelProblems).toContainEqual({
      item: 'labels.csv line 2',
      reason: expect.stringMatching(/'Greek' differs only by case from the class 'greek'/),
    });
    expect(classesOf('font_style').filter((c) => c.toLowerCase() === 'serif')).toEqual(['serif']);
    expect(classesOf('script').filter((c) => c.toLowerCase() === 'greek')).toEqual(['greek']);
    expect(summary.labelsApplied).toBe(2); // b.png's two labels

    const font = temp.runtime.project.store.targets.byName('font_style')!;
    const add = await temp.runtime.dispatch('targets.addClass', { targetId: font.id, name: 'SERIF' });
    expect(add).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/differs only by case/) } });
    const sans = font.classes.find((c) => c.name === 'sans')!;
    const rename = await temp.runtime.dispatch('targets.renameClass', { targetId: font.id, classId: sans.id, name: 'Serif' });
    expect(rename).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Changing the case of a class itself is a rename, not a variant.
    const own = await temp.runtime.dispatch('targets.renameClass', { targetId: font.id, classId: sans.id, name: 'Sans' });
    expect(own.ok).toBe(true);
    const twins = await temp.runtime.dispatch('targets.createCategorical', { name: 'weather', classes: ['Sunny', 'sunny'] });
    expect(twins).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
