/** New-user trial: classes named '0'..'9' got keys shifted by one (class '9' on key 0), so digits labeled by the digit seen were stored one off. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/store/database.js';
import { Store } from '../../electron/store/store.js';
import { newClassHotkeys } from '../../shared/targets.js';
import { importThroughApi, useTempProject, writeDistinctPng } from '../image-fixtures.js';

const temp = useTempProject();

const DIGITS = [...'0123456789'];
const keysOf = (target: string) => Object.fromEntries(temp.runtime.project.store.targets.byName(target)!.classes.map((c) => [c.name, c.hotkey]));

describe('class keys', () => {
  it('a class named by a single free class key gets that key; the others the next free positional keys', () => {
    expect(newClassHotkeys(DIGITS, [])).toEqual(DIGITS);
    expect(newClassHotkeys(['cat', 'dog'], [])).toEqual(['1', '2']);
    // Mixed: '1' keeps its own key even after a class placed before it; 'cat' and 'dog' take the free ones.
    expect(newClassHotkeys(['cat', '1', 'dog', 'x'], [])).toEqual(['2', '1', '3', 'x']);
    // Reserved (a, g, q, of either case) and non-key characters fall back to positional keys.
    expect(newClassHotkeys(['a', 'g', 'q', 'A', '-', 'é'], [])).toEqual(['1', '2', '3', '4', '5', '6']);
    // An upper-case letter gets its own key, as the keys are typed (B is b); once, like any key.
    expect(newClassHotkeys(['B', 'Z', 'b'], [])).toEqual(['b', 'z', '1']);
    // A key already in use is not taken twice, by name or position.
    expect(newClassHotkeys(['5', 'z'], ['5', '1'])).toEqual(['2', 'z']);
    expect(newClassHotkeys(['1', '1x'], [])).toEqual(['1', '2']);
  });

  it('createCategorical and addClass key classes by their names', () => {
    const { targets } = temp.runtime.project.store;
    targets.createCategorical('digit', DIGITS);
    expect(keysOf('digit')).toEqual(Object.fromEntries(DIGITS.map((d) => [d, d])));
    const t = targets.createCategorical('letter', ['b', 'other']);
    targets.addClass(t.id, 'c');
    targets.addClass(t.id, 'more');
    expect(keysOf('letter')).toEqual({ b: 'b', other: '1', c: 'c', more: '2' });
  });

  it("a renamed class moves to its new name's key only from the key its old name gave it, and only to a free one", () => {
    const { targets } = temp.runtime.project.store;
    const t = targets.createCategorical('renamed', ['x', 'cat', 'y', 'w']);
    expect(keysOf('renamed')).toEqual({ x: 'x', cat: '1', y: 'y', w: 'w' });
    const id = (name: string) => targets.byName('renamed')!.classes.find((c) => c.name === name)!.id;
    targets.setHotkey(t.id, id('w'), 'm'); // set by hand
    targets.renameClass(t.id, id('x'), 'Z'); // x was its name's key: now z
    targets.renameClass(t.id, id('cat'), 'k'); // a positional key stays
    targets.renameClass(t.id, id('w'), 'v'); // a key set by hand stays
    targets.renameClass(t.id, id('Z'), 'M'); // m is class v's key: z stays
    expect(keysOf('renamed')).toEqual({ M: 'z', k: '1', y: 'y', v: 'm' });
    targets.renameClass(t.id, id('y'), 'yes'); // no one-character name: y stays
    expect(keysOf('renamed')).toEqual({ M: 'z', k: '1', yes: 'y', v: 'm' });
  });

  it('folders 0..9 imported as labels get keys 0..9', async () => {
    const root = path.join(temp.dir, 'mnist');
    for (const [i, d] of DIGITS.entries()) await writeDistinctPng(path.join(root, d, `${d}.png`), 200 + i);
    const summary = await importThroughApi(temp.runtime, { paths: [root], labelFromFolder: [{ target: 'digit', level: 1 }] });
    expect(summary.labelProblems).toEqual([]);
    expect(keysOf('digit')).toEqual(Object.fromEntries(DIGITS.map((d) => [d, d])));
  });

  it('migration 0012 re-keys single-character classes still on positional keys, and nothing a user set', () => {
    const file = path.join(temp.dir, 'old.sqlite');
    const v11 = openDatabase(file, { targetVersion: 11 });
    const target = (id: number, name: string) =>
      v11.prepare("INSERT INTO targets (id, name, kind, position, created_at) VALUES (?, ?, 'categorical', ?, '2026-01-01')").run(id, name, id);
    const cls = v11.prepare('INSERT INTO target_classes (target_id, name, hotkey, position, deleted) VALUES (?, ?, ?, ?, ?)');
    const positional = '1234567890';
    target(1, 'digit');
    DIGITS.forEach((d, i) => cls.run(1, d, positional[i], i, 0));
    target(2, 'hand'); // 9 and 0 swapped by hand: left alone
    DIGITS.forEach((d, i) => cls.run(2, d, i === 8 ? '0' : i === 9 ? '9' : positional[i], i, 0));
    target(3, 'words'); // not all single characters: left alone
    ['1', 'cat'].forEach((n, i) => cls.run(3, n, positional[i], i, 0));
    target(4, 'mixed'); // a reserved letter keeps a positional key
    ['a', 'b', '7'].forEach((n, i) => cls.run(4, n, positional[i], i, 0));
    cls.run(4, '#deleted-99#x', null, 3, 1);
    v11.close();

    const store = Store.open(file);
    const keys = (name: string) => Object.fromEntries(store.targets.byName(name)!.classes.map((c) => [c.name, c.hotkey]));
    expect(keys('digit')).toEqual(Object.fromEntries(DIGITS.map((d) => [d, d])));
    expect(keys('hand')).toMatchObject({ '0': '1', '8': '0', '9': '9' });
    expect(keys('words')).toEqual({ '1': '1', cat: '2' });
    expect(keys('mixed')).toEqual({ a: '1', b: 'b', '7': '7' });
    store.close();
  });
});
