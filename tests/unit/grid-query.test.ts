import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../shared/api/contract.js';
import { imageFilterSchema, type ImageFilter } from '../../shared/image-filter.js';
import { buildImageQuery, nameCondition } from '../../electron/store/image-query.js';
import type { TargetDef } from '../../shared/targets.js';
import { useSampleRuntime, writePrediction } from '../runtime-fixture.js';

const sample = useSampleRuntime();
const store = () => sample.runtime.project.store;
const t = (name: string) => store().targets.byName(name)!;
const filter = (f: Partial<ImageFilter> & Record<string, unknown>) => imageFilterSchema.parse(f);
const ids = (f: Record<string, unknown>) => store().images.ids(filter(f), store().targets.list().length);
const names = (f: Record<string, unknown>) => ids(f).map((id) => store().images.get(id)!.original_name);
const list = (f: Record<string, unknown>, offset = 0, limit = 200) =>
  sample.call<{ total: number; items: ImageSummary[] }>('images.list', { offset, limit, filter: f });

/** A few images with names the sample lacks (case, brackets, stars), stored as the importer would. */
function addImage(name: string): number {
  const s = store();
  return s.write(() =>
    s.images.insert({
      sha256: `test-${name}`,
      storedPath: `images/test/${name}`,
      originalPath: null,
      originalName: name,
      format: 'png',
      width: 4,
      height: 4,
      channels: 3,
      byteSize: 10,
      thumbnail: null,
      batchId: null,
      importedAt: new Date().toISOString(),
    }),
  );
}

function suggest(imageId: number, target: TargetDef, value: string, confidence: number): void {
  const classId = target.classes.find((c) => c.name === value)!.id;
  writePrediction(store(), { imageId, targetId: target.id, classId, confidence, runId: 3 });
}

describe('the file name filter', () => {
  it('finds a part of the name, without regard to case, and takes % and _ literally', () => {
    const extra = ['Zeta_1.PNG', 'alpha%2.png', 'alpha_x.png', 'beta[3].png'].map(addImage);
    expect(names({ name: 'hn-029' })).toEqual(Array.from({ length: 10 }, (_, i) => `hn-029${i}.png`));
    expect(names({ name: 'ZETA_1' })).toEqual(['Zeta_1.PNG']);
    expect(names({ name: '.png' })).toHaveLength(300 + extra.length);
    // LIKE would read % and _ as wildcards; a part of a name is matched as typed.
    expect(names({ name: 'a%2' })).toEqual(['alpha%2.png']);
    expect(names({ name: 'a_x' })).toEqual(['alpha_x.png']);
    expect(names({ name: 'nothing-like-this' })).toEqual([]);
  });

  it('reads *, ? and [...] as a glob over the whole name, without regard to case', () => {
    expect(names({ name: 'hn-00?0.png' })).toEqual(Array.from({ length: 10 }, (_, i) => `hn-00${i}0.png`));
    expect(names({ name: 'HN-01*' })).toHaveLength(100);
    expect(names({ name: 'hn-029[0-2].png' })).toEqual(['hn-0290.png', 'hn-0291.png', 'hn-0292.png']);
    // A glob matches the whole name: a part of it is not enough.
    expect(names({ name: 'hn-00?0' })).toEqual([]);
    expect(names({ name: '*.png' })).toContain('Zeta_1.PNG');
    // A bracket meant literally is written as a class: [[] matches '['.
    expect(names({ name: 'beta[[]3].png' })).toEqual(['beta[3].png']);
  });

  it('a glob without a slash matches the file name in any folder; one with a slash, the whole relative path', () => {
    ['five/m00015.png', 'five/w3/m00016.png', 'six/m00020.png'].map(addImage);
    expect(names({ name: 'm0001*' })).toEqual(['five/m00015.png', 'five/w3/m00016.png']);
    expect(names({ name: 'five/*' })).toEqual(['five/m00015.png', 'five/w3/m00016.png']);
    expect(names({ name: '*/w3/*' })).toEqual(['five/w3/m00016.png']);
    expect(names({ name: 'five/m0002*' })).toEqual([]);
  });

  it('binds the name as a parameter, never as SQL text', () => {
    const q = buildImageQuery(filter({ name: "x'); DROP TABLE images; --" }), 4);
    expect(q.from).not.toContain('DROP');
    expect(q.params.name).toBe("x'); drop table images; --");
    expect(nameCondition('a*').sql).toContain('GLOB');
    expect(nameCondition('a.b').sql).toContain('instr');
  });

  it('combines with the status filter and the page total', async () => {
    const untouched = await list({ status: 'untouched', name: 'hn-00' });
    expect(untouched.total).toBe(untouched.items.length);
    expect(untouched.items.every((i) => i.originalName.startsWith('hn-00') && i.answered === 0)).toBe(true);
    const all = await list({ name: 'hn-00' });
    expect(all.total).toBe(100);
    expect(untouched.total).toBeGreaterThan(0);
    expect(untouched.total).toBeLessThan(100);
  });
});

describe('sort orders', () => {
  it('import order (id) up and down', () => {
    const up = ids({});
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(ids({ reverse: true })).toEqual([...up].reverse());
  });

  it('file name A→Z without regard to case, the id breaking ties, and reversed', () => {
    const a1 = addImage('Same.png');
    const a2 = addImage('same.png');
    const byName = names({ order: 'name' });
    const lower = byName.map((n) => n.toLowerCase());
    expect(lower).toEqual([...lower].sort());
    const same = ids({ order: 'name', name: 'same.png' });
    expect(same).toEqual([a1, a2]);
    expect(ids({ order: 'name', name: 'same.png', reverse: true })).toEqual([a2, a1]);
    expect(names({ order: 'name', reverse: true })).toEqual(byName.reverse());
  });

  it('last edit: the most recently changed label first (typed, bulk, cleared, undone), never-edited last', async () => {
    const font = t('font_style');
    const [first, second, third] = ids({ status: 'untouched' }).slice(0, 3) as [number, number, number];
    await sample.call('annotations.set', { imageId: second, targetId: font.id, label: { kind: 'value', value: 'mono' } });
    await sample.call('annotations.set', { imageId: first, targetId: font.id, label: { kind: 'unknown' } });
    expect(ids({ order: 'edited' }).slice(0, 2)).toEqual([first, second]);
    await sample.call('annotations.bulkSet', { imageIds: [third], targetId: font.id, label: { kind: 'value', value: 'serif' } });
    expect(ids({ order: 'edited' }).slice(0, 3)).toEqual([third, first, second]);
    // Clearing a label (back to not looked at) is an edit too.
    await sample.call('annotations.clear', { imageId: second, targetId: font.id });
    expect(ids({ order: 'edited' })[0]).toBe(second);
    // Undo changes a label: the image it touched comes first again.
    await sample.call('annotations.undo', {});
    expect(ids({ order: 'edited' })[0]).toBe(second);
    // Images nobody has labeled come last, in import order going down.
    const never = ids({ status: 'untouched' });
    const all = ids({ order: 'edited' });
    expect(all.slice(-never.length)).toEqual([...never].sort((a, b) => b - a));
    // A model prediction is no human edit.
    const last = all[all.length - 1]!;
    suggest(last, font, 'serif', 0.5);
    expect(ids({ order: 'edited' }).at(-1)).toBe(last);
  });

  it('confidence: model predictions lowest first, with a range; accepted suggestions likewise', async () => {
    const script = t('script');
    const free = ids({ target: { targetId: script.id, state: 'pending' } }).slice(0, 4) as [number, number, number, number];
    suggest(free[0], script, 'latin', 0.9);
    suggest(free[1], script, 'latin', 0.2);
    suggest(free[2], script, 'greek', 0.55);
    suggest(free[3], script, 'latin', 0.7);
    const model = { targetId: script.id, source: 'model' };
    expect(ids({ order: 'confidence', target: model })).toEqual([free[1], free[2], free[3], free[0]]);
    expect(ids({ order: 'confidence', reverse: true, target: model })).toEqual([free[0], free[3], free[2], free[1]]);
    expect(ids({ order: 'confidence', target: { ...model, minConfidence: 0.5, maxConfidence: 0.8 } })).toEqual([free[2], free[3]]);
    const greek = script.classes.find((c) => c.name === 'greek')!;
    expect(ids({ target: { ...model, classId: greek.id } })).toEqual([free[2]]);

    // Accepting turns a prediction into a human label with its confidence: it leaves 'model', joins 'accepted'.
    await sample.call('annotations.accept', { imageId: free[0], targetId: script.id });
    await sample.call('annotations.accept', { imageId: free[2], targetId: script.id });
    const accepted = { targetId: script.id, source: 'accepted' };
    expect(ids({ order: 'confidence', target: accepted })).toEqual([free[2], free[0]]);
    expect(ids({ target: { ...accepted, minConfidence: 0.6 } })).toEqual([free[0]]);
    expect(ids({ order: 'confidence', target: model })).toEqual([free[1], free[3]]);
    const page = await list({ order: 'confidence', target: accepted });
    expect(page.items.map((i) => i.labels[script.id]?.origin)).toEqual(['accepted', 'accepted']);
  });

  it('imported: the human labels that came with an import, among the human labels; typing over one makes it typed', async () => {
    const font = t('font_style');
    const byOrigin = (origin: string) =>
      store()
        .db.prepare("SELECT image_id FROM annotations WHERE target_id = ? AND source = 'human' AND origin = ? ORDER BY image_id")
        .pluck()
        .all(font.id, origin) as number[];
    const imported = { targetId: font.id, source: 'imported' };
    const before = ids({ target: imported });
    // The sample's labels came with its import: every one of them is imported.
    expect(before.length).toBeGreaterThan(100);
    expect(before).toEqual(byOrigin('imported'));
    expect((await list({ target: imported })).total).toBe(before.length);
    const [retyped] = before as [number];
    const pending = ids({ target: { targetId: font.id, state: 'pending' } })[0]!;
    await sample.call('annotations.set', { imageId: retyped, targetId: font.id, label: { kind: 'value', value: 'mono' } });
    await sample.call('annotations.set', { imageId: pending, targetId: font.id, label: { kind: 'value', value: 'serif' } });
    expect(ids({ target: imported })).toEqual(before.slice(1));
    const human = ids({ target: { targetId: font.id, state: 'answered' } });
    expect(human).toEqual(expect.arrayContaining([...before, pending]));
    expect(ids({ target: { targetId: font.id, state: 'answered', source: 'imported' } })).toEqual(before.slice(1));
    const page = await list({ target: imported });
    expect(new Set(page.items.map((i) => i.labels[font.id]?.origin))).toEqual(new Set(['imported']));
    // Imported labels carry no confidence: a range or the confidence order over them is refused.
    expect(imageFilterSchema.safeParse({ target: { ...imported, minConfidence: 0.5 } }).success).toBe(false);
    expect(imageFilterSchema.safeParse({ order: 'confidence', target: imported }).success).toBe(false);
  });

  it('refuses what it cannot honour rather than ignoring it', () => {
    expect(imageFilterSchema.safeParse({ order: 'confidence' }).success).toBe(false);
    expect(imageFilterSchema.safeParse({ order: 'confidence', target: { targetId: 1, source: 'human' } }).success).toBe(false);
    expect(imageFilterSchema.safeParse({ target: { targetId: 1, maxConfidence: 0.5 } }).success).toBe(false);
    expect(imageFilterSchema.safeParse({ order: 'size' }).success).toBe(false);
  });

  it('pages in any order cover every image once, with the labels of exactly that page', async () => {
    for (const order of ['id', 'name', 'edited'] as const) {
      const seen: number[] = [];
      const { total } = await list({ order }, 0, 1);
      for (let offset = 0; offset < total + 64; offset += 64) {
        const page = await list({ order }, offset, 64);
        seen.push(...page.items.map((i) => i.id));
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
    }
    // hn-0000.png is fully labeled: its labels come with it whatever page it is on.
    const first = (await list({ order: 'name', name: 'hn-0000.png' })).items[0]!;
    expect(first.answered).toBe(4);
    expect(Object.keys(first.labels)).toHaveLength(4);
  });
});

describe('the query plans at scale', () => {
  /** SQLite's plan for the first page: no order may need a sort of every matching image. */
  const plan = (f: Record<string, unknown>) => {
    const q = buildImageQuery(filter(f), store().targets.list().length);
    const rows = store().db.prepare(`EXPLAIN QUERY PLAN SELECT i.id ${q.from} ${q.order} LIMIT 200 OFFSET 0`).all(q.params) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  };

  it.each([
    ['import order', { order: 'id' }],
    ['import order reversed', { order: 'id', reverse: true }],
    ['name', { order: 'name' }],
    ['name reversed', { order: 'name', reverse: true }],
    ['last edit', { order: 'edited' }],
    ['last edit reversed', { order: 'edited', reverse: true }],
    ['name with a name filter and a status', { order: 'name', name: 'hn-1', status: 'pending' }],
    // The answers kept per image (migration 10) lead indexes of each order: an equality sorts nothing however few match.
    ['complete, in import order', { order: 'id', status: 'complete' }],
    ['untouched, by name', { order: 'name', status: 'untouched' }],
    ['complete, by last edit reversed', { order: 'edited', reverse: true, status: 'complete' }],
  ])('%s reads an index in order', (_, f) => {
    expect(plan(f)).not.toMatch(/TEMP B-TREE/);
  });

  it('confidence reads the confidence index of the target', () => {
    const script = t('script');
    const detail = plan({ order: 'confidence', target: { targetId: script.id, source: 'model' } });
    expect(detail).toMatch(/annotations_by_confidence/);
    // Not even the ties of one confidence are sorted apart from the index.
    expect(detail).not.toMatch(/TEMP B-TREE/);
    expect(plan({ order: 'confidence', reverse: true, target: { targetId: script.id, source: 'accepted' } })).not.toMatch(/TEMP B-TREE/);
  });
});
