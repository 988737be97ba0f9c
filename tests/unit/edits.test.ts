import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { tempDir } from '../helpers.js';

let runtime: Runtime;
let cleanup: () => void;
const call = async <T>(method: string, payload: unknown = {}): Promise<T> => {
  const result = await runtime.dispatch(method, payload);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.data as T;
};

beforeEach(() => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  runtime = openRuntime(path.join(tmp.dir, 'data'));
  const { store } = runtime.project;
  store.write(() => {
    for (let i = 1; i <= 6; i++) {
      store.images.insert({
        sha256: String(i).repeat(64).slice(0, 64),
        storedPath: `images/x/${i}.png`,
        originalPath: null,
        originalName: `${i}.png`,
        format: 'png',
        width: 4,
        height: 4,
        channels: 1,
        byteSize: 1,
        thumbnail: null,
        batchId: null,
        importedAt: new Date().toISOString(),
      });
    }
  });
});
afterEach(() => {
  runtime.close();
  cleanup();
});

const t = (name: string) => runtime.project.store.targets.byName(name)!;
const cls = (target: string, name: string) => t(target).classes.find((c) => c.name === name)!;
const labelOf = async (imageId: number, target: string) => {
  const detail = await call<{ labels: Record<number, { state: string; value: string | null }> }>('images.get', { id: imageId });
  const l = detail.labels[t(target).id];
  return l ? (l.state === 'unknown' ? '?' : l.value) : 'pending';
};

describe('undo and redo', () => {
  it('one field typed key by key is one undo step, with its derived length', async () => {
    const digits = t('digits').id;
    for (const value of ['4', '42', '421'])
      await call('annotations.set', { imageId: 1, targetId: digits, label: { kind: 'value', value }, coalesceKey: 'img1-digits-a' });
    expect(await labelOf(1, 'digits')).toBe('421');
    expect(await labelOf(1, 'length')).toBe('3');
    expect(await call('annotations.history')).toEqual({ undo: 'digits of image 1', redo: null, undoDepth: 1, redoDepth: 0 });
    await call('annotations.undo');
    expect(await labelOf(1, 'digits')).toBe('pending');
    expect(await labelOf(1, 'length')).toBe('pending');
    await call('annotations.redo');
    expect(await labelOf(1, 'digits')).toBe('421');
    expect(await labelOf(1, 'length')).toBe('3');
  });

  it('walks back across images in order, and a new edit drops the redo stack', async () => {
    const font = t('font_style').id;
    await call('annotations.set', { imageId: 1, targetId: font, label: { kind: 'value', value: 'serif' } });
    await call('annotations.set', { imageId: 2, targetId: font, label: { kind: 'unknown' } });
    await call('annotations.set', { imageId: 1, targetId: font, label: { kind: 'value', value: 'mono' } });
    expect(await call('annotations.undo')).toEqual({ description: 'font_style of image 1', imageIds: [1], classTargetId: null, kept: 0, keptBy: [] });
    expect(await labelOf(1, 'font_style')).toBe('serif');
    expect(await call('annotations.undo')).toEqual({ description: 'font_style of image 2', imageIds: [2], classTargetId: null, kept: 0, keptBy: [] });
    expect(await labelOf(2, 'font_style')).toBe('pending');
    await call('annotations.redo');
    expect(await labelOf(2, 'font_style')).toBe('?');
    await call('annotations.set', { imageId: 3, targetId: font, label: { kind: 'value', value: 'sans' } });
    expect((await call<{ redo: string | null }>('annotations.history')).redo).toBeNull();
    expect(await call('annotations.redo')).toEqual({ description: null, imageIds: [], classTargetId: null, kept: 0, keptBy: [] });
    await call('annotations.undo');
    await call('annotations.undo');
    await call('annotations.undo');
    expect([await labelOf(1, 'font_style'), await labelOf(2, 'font_style'), await labelOf(3, 'font_style')]).toEqual(['pending', 'pending', 'pending']);
    expect(await call('annotations.undo')).toEqual({ description: null, imageIds: [], classTargetId: null, kept: 0, keptBy: [] });
  });

  it('survives a restart: the history is in the database', async () => {
    await call('annotations.set', { imageId: 4, targetId: t('script').id, label: { kind: 'value', value: 'greek' } });
    const dataDir = runtime.project.dataDir;
    runtime.close();
    runtime = openRuntime(dataDir);
    expect(await call('annotations.undo')).toEqual({ description: 'script of image 4', imageIds: [4], classTargetId: null, kept: 0, keptBy: [] });
    expect(await labelOf(4, 'script')).toBe('pending');
  });

  it('a no-op edit adds no history', async () => {
    const font = t('font_style').id;
    await call('annotations.set', { imageId: 1, targetId: font, label: { kind: 'value', value: 'serif' } });
    await call('annotations.set', { imageId: 1, targetId: font, label: { kind: 'value', value: 'serif' } });
    await call('annotations.undo');
    expect((await call<{ undo: string | null }>('annotations.history')).undo).toBeNull();
  });
});

describe('bulk labeling', () => {
  it('sets a categorical target for many images as one undoable step', async () => {
    const script = t('script').id;
    await call('annotations.set', { imageId: 2, targetId: script, label: { kind: 'value', value: 'greek' } });
    expect(await call('annotations.bulkSet', { imageIds: [1, 2, 3], targetId: script, label: { kind: 'value', value: 'latin' } })).toEqual({ count: 3 });
    expect([await labelOf(1, 'script'), await labelOf(2, 'script'), await labelOf(3, 'script')]).toEqual(['latin', 'latin', 'latin']);
    await call('annotations.undo');
    expect([await labelOf(1, 'script'), await labelOf(2, 'script'), await labelOf(3, 'script')]).toEqual(['pending', 'greek', 'pending']);
  });

  it('sets every image of a filter', async () => {
    const script = t('script').id;
    await call('annotations.set', { imageId: 5, targetId: script, label: { kind: 'value', value: 'thai' } });
    const filter = { target: { targetId: script, state: 'pending' } };
    expect(await call('images.ids', { filter })).toEqual({ ids: [1, 2, 3, 4, 6] });
    expect(await call('annotations.bulkSet', { filter, targetId: script, label: { kind: 'unknown' } })).toEqual({ count: 5 });
    expect(await call('images.ids', { filter })).toEqual({ ids: [] });
    expect(await labelOf(5, 'script')).toBe('thai');
  });
});

describe('queues and filters', () => {
  it('select by target state, class and status', async () => {
    const font = t('font_style').id;
    await call('annotations.set', { imageId: 1, targetId: font, label: { kind: 'value', value: 'serif' } });
    await call('annotations.set', { imageId: 2, targetId: font, label: { kind: 'unknown' } });
    await call('annotations.set', { imageId: 3, targetId: font, label: { kind: 'value', value: 'mono' } });
    const ids = async (filter: unknown) => (await call<{ ids: number[] }>('images.ids', { filter })).ids;
    expect(await ids({ target: { targetId: font, state: 'pending' } })).toEqual([4, 5, 6]);
    expect(await ids({ target: { targetId: font, state: 'unknown' } })).toEqual([2]);
    expect(await ids({ target: { targetId: font, state: 'value' } })).toEqual([1, 3]);
    expect(await ids({ target: { targetId: font, state: 'answered' } })).toEqual([1, 2, 3]);
    expect(await ids({ target: { targetId: font, classId: cls('font_style', 'mono').id } })).toEqual([3]);
    expect(await ids({ status: 'untouched' })).toEqual([4, 5, 6]);
    expect(await ids({ status: 'complete' })).toEqual([]);
    expect(await ids({ target: { targetId: font, source: 'model' } })).toEqual([]);
    const page = await call<{ total: number; items: { id: number }[] }>('images.list', {
      limit: 1,
      offset: 1,
      filter: { target: { targetId: font, state: 'answered' } },
    });
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.id)).toEqual([2]);
  });
});

describe('class editing never loses labels silently', () => {
  it('merges a class into another, moving its labels and its history', async () => {
    const font = t('font_style');
    await call('annotations.set', { imageId: 1, targetId: font.id, label: { kind: 'value', value: 'display' } });
    const merged = await call<{ moved: number; classes: { name: string }[] }>('targets.mergeClass', {
      targetId: font.id,
      classId: cls('font_style', 'display').id,
      intoClassId: cls('font_style', 'sans').id,
    });
    expect(merged.moved).toBe(1);
    expect(merged.classes.map((c) => c.name)).not.toContain('display');
    expect(await labelOf(1, 'font_style')).toBe('sans');
    // The merge is one undo step: the class comes back with its label, then the label's own step.
    expect(await call('annotations.undo')).toEqual({
      description: "merge class 'display' of font_style into 'sans'",
      imageIds: [1],
      classTargetId: font.id,
      kept: 0,
      keptBy: [],
    });
    expect(t('font_style').classes.map((c) => c.name)).toContain('display');
    expect(await labelOf(1, 'font_style')).toBe('display');
    await call('annotations.undo');
    expect(await labelOf(1, 'font_style')).toBe('pending');
    await call('annotations.redo');
    await call('annotations.redo');
    expect(await labelOf(1, 'font_style')).toBe('sans');
    expect(t('font_style').classes.map((c) => c.name)).not.toContain('display');
  });

  it('refuses to delete a class in use unless told what its labels become', async () => {
    const script = t('script');
    await call('annotations.set', { imageId: 1, targetId: script.id, label: { kind: 'value', value: 'thai' } });
    await call('annotations.set', { imageId: 2, targetId: script.id, label: { kind: 'value', value: 'thai' } });
    const refused = await runtime.dispatch('targets.deleteClass', { targetId: script.id, classId: cls('script', 'thai').id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/labels 2 image/) } });
    expect(await labelOf(1, 'script')).toBe('thai');
    const deleted = await call<{ affected: number }>('targets.deleteClass', { targetId: script.id, classId: cls('script', 'thai').id, labels: 'unknown' });
    expect(deleted.affected).toBe(2);
    expect([await labelOf(1, 'script'), await labelOf(2, 'script')]).toEqual(['?', '?']);
    // Undoable: the class and both labels come back; then image 2's own step.
    await call('annotations.undo');
    expect([await labelOf(1, 'script'), await labelOf(2, 'script')]).toEqual(['thai', 'thai']);
    await call('annotations.undo');
    expect(await labelOf(2, 'script')).toBe('pending');
    await call('annotations.redo');
    await call('annotations.redo');
    expect([await labelOf(1, 'script'), await labelOf(2, 'script')]).toEqual(['?', '?']);
    expect(t('script').classes.map((c) => c.name)).not.toContain('thai');
    // An unused class goes without asking.
    expect(await call<{ affected: number }>('targets.deleteClass', { targetId: script.id, classId: cls('script', 'hebrew').id })).toMatchObject({
      affected: 0,
    });
  });
});
