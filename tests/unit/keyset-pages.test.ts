/**
 * Issue 14, pages at scale: images.list's cursor (keyset paging) walks exactly the rows offset
 * paging gives, in every order both ways and under every kind of filter, through ties of the
 * sort key and its NULLs (never-edited images, predictions without a confidence).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageList } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { useSampleRuntime, writePrediction } from '../runtime-fixture.js';

const sample = useSampleRuntime();
const store = () => sample.runtime.project.store;
const t = (name: string) => store().targets.byName(name)!;

function suggest(imageId: number, target: TargetDef, confidence: number | null): void {
  writePrediction(store(), { imageId, targetId: target.id, classId: target.classes[imageId % target.classes.length]!.id, confidence });
}

beforeAll(async () => {
  const s = store();
  const font = t('font_style');
  // Ties of the sort keys: the same file name twice, a few confidences shared by many images, and NULLs.
  s.write(() => s.db.prepare("UPDATE images SET original_name = 'same.png' WHERE id IN (5, 6, 7, 150)").run());
  for (let id = 1; id <= 300; id += 2) suggest(id, font, id % 11 === 0 ? null : (id % 4) / 4);
  // Accepted suggestions (human labels with a confidence) and some typed labels: edits in another order than the ids.
  for (const id of [9, 3, 27, 81, 11]) await sample.call('annotations.accept', { imageId: id, targetId: font.id });
  for (const id of [290, 4, 120, 66]) await sample.call('annotations.set', { imageId: id, targetId: t('script').id, label: { kind: 'unknown' } });
});

const filters: Record<string, object> = {
  any: { status: 'any' },
  pending: { status: 'pending' },
  complete: { status: 'complete' },
  untouched: { status: 'untouched' },
  'script not looked at': { target: { targetId: 0, state: 'pending' } },
  'a name part': { name: 'hn-01' },
  'script not looked at, pending, a name part': { status: 'pending', name: 'hn-02', target: { targetId: 0, state: 'pending' } },
  'one class of script': { target: { targetId: 0, classId: -1 } },
  'script unknown': { target: { targetId: 0, state: 'unknown' } },
};

/** The filter with script's id (and its first class where one is asked for), known once the sample is imported. */
function withTarget(filter: object): object {
  const target = (filter as { target?: { targetId: number; classId?: number } }).target;
  if (!target) return filter;
  const script = t('script');
  return { ...filter, target: { ...target, targetId: script.id, ...(target.classId ? { classId: script.classes[0]!.id } : {}) } };
}

async function byOffset(filter: object, limit: number): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await sample.call<ImageList>('images.list', { offset, limit, filter });
    ids.push(...page.items.map((i) => i.id));
    if (page.items.length < limit) return ids;
  }
}

async function byCursor(filter: object, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await sample.call<ImageList>('images.list', { limit, filter, ...(after ? { after } : {}) });
    ids.push(...page.items.map((i) => i.id));
    if (page.next === null) return ids;
    after = page.next;
  }
}

describe('keyset paging (images.list after)', () => {
  const cases: [string, object][] = [];
  for (const [name, filter] of Object.entries(filters))
    for (const order of ['id', 'name', 'edited'])
      for (const reverse of [false, true]) cases.push([`${name}, ${order}${reverse ? ' reversed' : ''}`, { ...filter, order, reverse }]);
  for (const reverse of [false, true]) {
    cases.push([`predictions by confidence${reverse ? ' reversed' : ''}`, { order: 'confidence', reverse, target: { targetId: 0, source: 'model' } }]);
    cases.push([`accepted by confidence${reverse ? ' reversed' : ''}`, { order: 'confidence', reverse, target: { targetId: 0, source: 'accepted' } }]);
    cases.push([
      `predictions in a range by confidence${reverse ? ' reversed' : ''}`,
      { order: 'confidence', reverse, target: { targetId: 0, source: 'model', minConfidence: 0.25 } },
    ]);
  }

  it.each(cases)('%s: the same rows as offset paging', async (_, raw) => {
    const target = (raw as { target?: { targetId: number; source?: string } }).target;
    const filter = target?.source ? { ...raw, target: { ...target, targetId: t('font_style').id } } : withTarget(raw);
    const offsetIds = await byOffset(filter, 7);
    expect(await byCursor(filter, 7)).toEqual(offsetIds);
    // The total (counted apart from the pages, in other SQL where that is cheaper) is what the pages hold.
    expect((await sample.call<ImageList>('images.list', { limit: 1, filter })).total).toBe(offsetIds.length);
    // Pages of another size end elsewhere in the ties: still the same rows.
    expect(await byCursor(filter, 50)).toEqual(offsetIds);
  });

  it('the walk reaches every image of the filter (the cases are not all empty)', async () => {
    expect(await byCursor({ order: 'edited' }, 40)).toHaveLength(300);
    expect((await byCursor({ order: 'confidence', target: { targetId: t('font_style').id, source: 'model' } }, 40)).length).toBeGreaterThan(50);
    for (const status of ['pending', 'complete', 'untouched']) expect((await byCursor({ status, order: 'name' }, 40)).length).toBeGreaterThan(0);
    expect((await byCursor(withTarget(filters['script not looked at']!), 40)).length).toBeGreaterThan(0);
    expect(await byCursor({ order: 'confidence', target: { targetId: t('font_style').id, source: 'accepted' } }, 2)).toHaveLength(5);
  });

  it('refuses a cursor it did not hand out, or one of another order', async () => {
    const page = await sample.call<ImageList>('images.list', { limit: 10, filter: { order: 'name' } });
    expect(page.next).toEqual(expect.any(String));
    await expect(sample.call('images.list', { limit: 10, filter: { order: 'id' }, after: page.next })).rejects.toThrow(/cursor is for order 'name'/);
    await expect(sample.call('images.list', { limit: 10, filter: { order: 'name', reverse: true }, after: page.next })).rejects.toThrow(/cursor/);
    await expect(sample.call('images.list', { limit: 10, filter: { order: 'name' }, after: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });

  it('a full last page still gives a cursor: the page after it is empty and gives none', async () => {
    const last = await sample.call<ImageList>('images.list', { offset: 290, limit: 10, filter: { order: 'id' } });
    expect(last.items).toHaveLength(10);
    expect(last.next).toEqual(expect.any(String));
    const after = await sample.call<ImageList>('images.list', { limit: 10, filter: { order: 'id' }, after: last.next });
    expect(after.items).toEqual([]);
    expect(after.next).toBeNull();
  });
});
