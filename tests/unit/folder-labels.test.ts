/** Issue 13 point 4: labels from folder names, both common layouts, through the API and the CLI. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli-helpers.js';
import { importThroughApi, useTempProject, writeDistinctPng } from '../image-fixtures.js';

const temp = useTempProject();

async function tree(root: string, files: string[]): Promise<void> {
  for (const [i, f] of files.entries()) await writeDistinctPng(path.join(root, f), i + 100 + root.length);
}

/** The human label of `target` on the image imported as `name`, or 'pending'. */
function label(name: string, target: string): string {
  const { store } = temp.runtime.project;
  const id = store.images.idsByName(name)[0]!;
  const row = store.annotations.one(id, store.targets.byName(target)!.id, 'human');
  return row ? (row.state === 'unknown' ? 'unknown' : `${row.class_name} (${row.origin})`) : 'pending';
}

describe('labels from folder names', () => {
  it('root/<class>/<file>: the parent folder is the class; new classes are added, a case variant is reported once per folder', async () => {
    const root = path.join(temp.dir, 'fonts');
    await tree(root, ['serif/a.png', 'serif/b.png', 'mono/c.png', 'blackletter/d.png', 'Serif/e.png', 'Serif/f.png', 'loose.png']);
    const summary = await importThroughApi(temp.runtime, { paths: [root], labelFromFolder: [{ target: 'font_style', level: 1 }] });
    expect(summary.imported).toBe(7);
    expect(label('serif/a.png', 'font_style')).toBe('serif (imported)');
    expect(label('mono/c.png', 'font_style')).toBe('mono (imported)');
    expect(label('blackletter/d.png', 'font_style')).toBe('blackletter (imported)');
    expect(summary.createdClasses).toEqual(['font_style:blackletter']);
    expect(label('Serif/e.png', 'font_style')).toBe('pending');
    // A file directly in the folder imported has no class folder: it is left, and said (the imported folder's own name labels nothing).
    expect(label('loose.png', 'font_style')).toBe('pending');
    expect(summary.labelProblems).toEqual([
      {
        item: "folder 'Serif'",
        reason: "'Serif' differs only by case from the class 'serif' of font_style; its 2 image(s) were not labeled from it (e.g. Serif/e.png, Serif/f.png)",
      },
      {
        item: 'label from folder',
        reason: 'no folder 1 level(s) up inside the folder imported, so no font_style from it; its 1 image(s) were not labeled from it (e.g. loose.png)',
      },
    ]);
  });

  it('root/<class>/<subgroup>/<file>: one rule per level; missing categorical targets are created', async () => {
    const root = path.join(temp.dir, 'omniglot');
    await tree(root, ['Japanese_(katakana)/w01/1.png', 'Japanese_(katakana)/w02/2.png', 'Korean/w01/3.png', 'Korean/w03/4.png']);
    const summary = await importThroughApi(temp.runtime, {
      paths: [root],
      labelFromFolder: [
        { target: 'writer', level: 1 },
        { target: 'alphabet', level: 2 },
      ],
    });
    expect(summary.labelProblems).toEqual([]);
    const { targets } = temp.runtime.project.store;
    expect(targets.byName('alphabet')).toMatchObject({ kind: 'categorical', classes: [{ name: 'Japanese_(katakana)' }, { name: 'Korean' }] });
    expect(targets.byName('writer')!.classes.map((c) => c.name)).toEqual(['w01', 'w02', 'w03']);
    expect(label('Korean/w03/4.png', 'alphabet')).toBe('Korean (imported)');
    expect(label('Korean/w03/4.png', 'writer')).toBe('w03 (imported)');
    expect(summary.labelsApplied).toBe(8);
  });

  it('a rule naming a target that is not categorical is refused before anything is imported', async () => {
    const root = path.join(temp.dir, 'digits');
    await tree(root, ['7/a.png']);
    const refused = await temp.runtime.dispatch('imports.start', { paths: [root], labelFromFolder: [{ target: 'digits', level: 1 }] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request', issues: [{ path: 'labelFromFolder.0.target' }] } });
    expect(temp.runtime.project.store.images.count()).toBe(0);
  });

  it('polyhead import --label-from-folder TARGET[:LEVEL] (repeatable)', async () => {
    const root = path.join(temp.dir, 'cli');
    await tree(root, ['latin/w1/a.png', 'greek/w2/b.png']);
    const data = path.join(temp.dir, 'cli-data');
    const result = cli(['import', '--data', data, '--label-from-folder', 'script:2', '--label-from-folder', 'writer', root, '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 2, labelsApplied: 4, createdClasses: ['writer:w2', 'writer:w1'], labelProblems: [] });
    const bad = cli(['import', '--data', data, '--label-from-folder', 'script:0', root]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--label-from-folder LEVEL must be an integer ≥ 1/);
  });
});
