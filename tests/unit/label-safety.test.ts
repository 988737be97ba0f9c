import { describe, expect, it } from 'vitest';
import type { AnnotationView, ApiResult, EditHistory, ImageDetail } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { useSampleRuntime } from '../runtime-fixture.js';

const sample = useSampleRuntime();
const call = <T>(method: string, payload: unknown = {}) => sample.call<T>(method, payload);
const t = (name: string) => sample.runtime.project.store.targets.byName(name)!;
const labelOf = async (imageId: number, target: string) =>
  (await call<ImageDetail>('images.get', { id: imageId })).annotations.find((a) => a.targetId === t(target).id && a.source === 'human');

/** A model suggestion as `polyhead predict` stores it. */
function suggest(imageId: number, target: TargetDef, value: string, confidence: number, runId = 7): void {
  const { store } = sample.runtime.project;
  const cls = target.classes.find((c) => c.name === value);
  store.write(() =>
    store.annotations.upsert({
      imageId,
      targetId: target.id,
      source: 'model',
      origin: null,
      state: 'value',
      textValue: cls ? null : value,
      classId: cls?.id ?? null,
      confidence,
      runId,
      updatedAt: new Date().toISOString(),
    }),
  );
}

// Images of the sample without any human label of font_style/script to start from.
const free = (target: string, n: number) => {
  const { store } = sample.runtime.project;
  const ids = store.images.ids(
    { status: 'any', order: 'id', target: { targetId: t(target).id, state: 'pending', source: 'human' } },
    store.targets.list().length,
  );
  return ids.slice(0, n);
};

describe('no stale writes', () => {
  it('a write made against an old version is refused with 409 naming the image and target, and nothing is written', async () => {
    const [imageId] = free('font_style', 1);
    const font = t('font_style').id;
    const first = await call<AnnotationView>('annotations.set', { imageId, targetId: font, label: { kind: 'value', value: 'mono' }, expectedVersion: 0 });
    expect(first).toMatchObject({ value: 'mono', origin: 'typed', version: expect.any(Number) });
    const changes = sample.runtime.project.store.db.prepare('SELECT total_changes() AS n').get() as { n: number };
    // A second tab still believes the label is not looked at (version 0).
    const stale = (await sample.runtime.dispatch('annotations.set', {
      imageId,
      targetId: font,
      label: { kind: 'value', value: 'serif' },
      expectedVersion: 0,
    })) as ApiResult<unknown>;
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.error.code).toBe('conflict');
    expect(stale.error.message).toContain(`Image ${imageId}, font_style: changed since you saw it — it is now 'mono'`);
    expect(stale.error.issues).toEqual([{ path: 'expectedVersion', message: expect.stringContaining(`image ${imageId}, target font_style`) }]);
    expect((sample.runtime.project.store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n).toBe(changes.n);
    expect((await labelOf(imageId!, 'font_style'))?.value).toBe('mono');
    // Clearing against a stale version is refused too; against the current one it works.
    expect((await sample.runtime.dispatch('annotations.clear', { imageId, targetId: font, expectedVersion: first.version - 1 })).ok).toBe(false);
    expect(await call('annotations.clear', { imageId, targetId: font, expectedVersion: first.version })).toEqual({ cleared: true });
    // A label that came back after a clear is a new version: the old one no longer matches.
    const again = await call<AnnotationView>('annotations.set', { imageId, targetId: font, label: { kind: 'value', value: 'mono' }, expectedVersion: 0 });
    expect(again.version).toBeGreaterThan(first.version);
    expect((await sample.runtime.dispatch('annotations.set', { imageId, targetId: font, label: { kind: 'unknown' }, expectedVersion: first.version })).ok).toBe(
      false,
    );
  });

  it('the conflict says when the label there now came with an import', async () => {
    const { store } = sample.runtime.project;
    const font = t('font_style');
    const imageId = store.db
      .prepare("SELECT image_id FROM annotations WHERE target_id = ? AND source = 'human' AND origin = 'imported' AND state = 'value' LIMIT 1")
      .pluck()
      .get(font.id) as number;
    const now = (await labelOf(imageId, 'font_style'))!;
    // A page that read the image before the import labeled it.
    const stale = (await sample.runtime.dispatch('annotations.set', {
      imageId,
      targetId: font.id,
      label: { kind: 'unknown' },
      expectedVersion: 0,
    })) as ApiResult<unknown>;
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.error.message).toContain(`font_style: changed since you saw it — it is now '${now.value}' (imported) (version ${now.version};`);
  });

  it('over HTTP the conflict is a 409', async () => {
    const { startServer } = await import('../../electron/server/server.js');
    const { rendererDir } = await import('../../electron/platform/paths.js');
    const { ownerToken } = await import('../../electron/domain/users.js');
    const server = await startServer({ ...sample.runtime, rendererDir, port: 0 });
    const token = ownerToken(sample.runtime.project.store, sample.runtime.project.dataDir);
    try {
      const [imageId] = free('script', 1);
      const post = (payload: unknown) =>
        fetch(`${server.url}/api/annotations.set`, { method: 'POST', body: JSON.stringify(payload), headers: { authorization: `Bearer ${token}` } });
      const body = { imageId, targetId: t('script').id, label: { kind: 'value', value: 'latin' }, expectedVersion: 0 };
      expect((await post(body)).status).toBe(200);
      const refused = await post({ ...body, label: { kind: 'value', value: 'greek' } });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        new RegExp(`Image ${imageId}, script: changed since you saw it`),
      );
    } finally {
      await server.close();
    }
  });
});

describe('model suggestions are accepted only explicitly, and keep their provenance', () => {
  it('accept makes one suggestion a human label marked as accepted from its run, one undo step', async () => {
    const [imageId] = free('font_style', 1);
    const font = t('font_style');
    suggest(imageId!, font, 'serif', 0.83, 7);
    const accepted = await call<AnnotationView>('annotations.accept', { imageId, targetId: font.id, expectedVersion: 0 });
    expect(accepted).toMatchObject({ source: 'human', value: 'serif', origin: 'accepted', runId: 7, confidence: 0.83 });
    const grid = await call<{ items: { id: number; labels: Record<number, { origin: string }> }[] }>('images.list', { offset: 0, limit: 1000 });
    expect(grid.items.find((i) => i.id === imageId)!.labels[font.id]).toEqual({
      state: 'value',
      value: 'serif',
      origin: 'accepted',
      runId: 7,
      confidence: 0.83,
    });
    expect((await call<EditHistory>('annotations.history')).undo).toBe(`accept font_style of image ${imageId}`);
    await call('annotations.undo');
    expect(await labelOf(imageId!, 'font_style')).toBeUndefined();
    await call('annotations.redo');
    expect(await labelOf(imageId!, 'font_style')).toMatchObject({ origin: 'accepted', runId: 7, confidence: 0.83 });
  });

  it('acceptMany takes the suggestions at or above the floor, never over a person, as one undo step', async () => {
    const fontFree = free('font_style', 400);
    const imageId = free('script', 400).find((id) => fontFree.includes(id));
    expect(imageId).toBeDefined();
    const [font, script] = [t('font_style'), t('script')];
    suggest(imageId!, font, 'mono', 0.95);
    suggest(imageId!, script, 'cyrillic', 0.4);
    const result = await call<{ accepted: AnnotationView[]; skipped: { targetId: number; reason: string }[] }>('annotations.acceptMany', {
      imageId,
      targets: [{ targetId: font.id }, { targetId: script.id }],
      minConfidence: 0.5,
    });
    expect(result.accepted.map((a) => [a.targetId, a.value, a.origin])).toEqual([[font.id, 'mono', 'accepted']]);
    expect(result.skipped).toEqual([{ targetId: script.id, reason: 'confidence below 0.5' }]);
    // A person's label is not replaced by a suggestion unless the request names its version.
    await call('annotations.set', { imageId, targetId: script.id, label: { kind: 'value', value: 'latin' } });
    suggest(imageId!, script, 'greek', 0.99);
    const second = await call<{ skipped: { reason: string }[] }>('annotations.acceptMany', { imageId, targets: [{ targetId: script.id }] });
    expect(second.skipped).toEqual([{ targetId: script.id, reason: 'a person has labeled it' }]);
    expect((await labelOf(imageId!, 'script'))?.value).toBe('latin');
  });

  it('a length set on its own is not replaced by digits that contradict it; a derived one follows', async () => {
    const [imageId] = free('digits', 1);
    const [digits, length] = [t('digits'), t('length')];
    await call('annotations.set', { imageId, targetId: length.id, label: { kind: 'value', value: '3' } });
    await call('annotations.set', { imageId, targetId: digits.id, label: { kind: 'value', value: '49228' } });
    expect(await labelOf(imageId!, 'length')).toMatchObject({ value: '3', origin: 'typed' });
    await call('annotations.clear', { imageId, targetId: length.id });
    await call('annotations.set', { imageId, targetId: digits.id, label: { kind: 'value', value: '4922' } });
    expect(await labelOf(imageId!, 'length')).toMatchObject({ value: '4', origin: 'derived' });
  });
});

describe('nothing irreversible by accident', () => {
  it('keeps the undo history in full (beyond the old 5,000-step cap) and says how deep it is', async () => {
    const [imageId] = free('script', 1);
    const script = t('script').id;
    const before = await call<EditHistory>('annotations.history');
    for (let i = 0; i < 5_100; i++) {
      await call('annotations.set', { imageId, targetId: script, label: i % 2 ? { kind: 'unknown' } : { kind: 'value', value: 'latin' } });
    }
    const after = await call<EditHistory>('annotations.history');
    expect(after.undoDepth).toBe(before.undoDepth + 5_100);
    expect(after.redoDepth).toBe(0);
    const oldest = sample.runtime.project.store.db.prepare('SELECT min(id) AS id FROM edit_groups').get() as { id: number };
    expect(oldest.id).toBe(1);
  });

  it('class hotkeys: reserved letters and duplicates refused, target jump keys stored', async () => {
    const font = t('font_style');
    const refused = await sample.runtime.dispatch('targets.setHotkey', { targetId: font.id, classId: font.classes[0]!.id, hotkey: 'q' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/reserved/) } });
    const taken = font.classes[1]!.hotkey!;
    expect(await sample.runtime.dispatch('targets.setHotkey', { targetId: font.id, classId: font.classes[0]!.id, hotkey: taken })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const updated = await call<TargetDef>('targets.setHotkey', { targetId: font.id, hotkey: 'f' });
    expect(updated.hotkey).toBe('f');
    expect(await sample.runtime.dispatch('targets.setHotkey', { targetId: t('script').id, hotkey: 'f' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(t('font_style').classes.every((c) => !['a', 'g', 'q'].includes(c.hotkey ?? ''))).toBe(true);
  });
});
