import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageDetail } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';

const calls = vi.hoisted(() => ({
  get: [] as number[],
  writes: [] as [string, unknown][],
  failSet: null as string | null,
  stored: new Map<number, Record<number, { state: 'value' | 'unknown'; value: string | null }>>(),
}));

vi.mock('../../renderer/src/api', () => {
  const write = (name: string) => async (req: unknown) => {
    calls.writes.push([name, req]);
    if (name === 'set' && calls.failSet) throw new Error(calls.failSet);
    return {};
  };
  return {
    api: {
      images: {
        ids: async () => ({ ids: [1, 2, 3] }),
        get: async ({ id }: { id: number }): Promise<ImageDetail> => {
          calls.get.push(id);
          return {
            id,
            labels: calls.stored.get(id) ?? {},
            // Image 1 comes with the model's guess of the font and the script.
            annotations:
              id === 1
                ? [
                    { targetId: 3, state: 'value', value: 'mono', source: 'model', confidence: 0.9, updatedAt: '' },
                    { targetId: 4, state: 'unknown', value: null, source: 'model', confidence: 0.4, updatedAt: '' },
                  ]
                : [],
          } as unknown as ImageDetail;
        },
      },
      annotations: { set: write('set'), clear: write('clear'), accept: write('accept') },
    },
    onEvent: () => () => {},
    mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
  };
});

const { useLabelerStore } = await import('../../renderer/src/stores/labeler');
const { useProjectStore } = await import('../../renderer/src/stores/project');

const targets: TargetDef[] = defaultTargetDefs();
const [digits, , font, script] = targets as [TargetDef, TargetDef, TargetDef, TargetDef];

describe('labeler store', () => {
  let decode: PropertyDescriptor | undefined;
  beforeEach(() => {
    decode = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'decode');
    HTMLImageElement.prototype.decode = () => Promise.resolve(); // jsdom does not decode
    setActivePinia(createPinia());
    useProjectStore().targets = targets;
    calls.get = [];
    calls.writes = [];
    calls.failSet = null;
    calls.stored.clear();
  });
  afterEach(() => {
    if (decode) Object.defineProperty(HTMLImageElement.prototype, 'decode', decode);
    else delete (HTMLImageElement.prototype as Partial<HTMLImageElement>).decode;
  });

  it('writes keystrokes in order with one coalesce key per field, and reports the save state', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ status: 'pending', order: 'id' });
    expect(labeler.current?.id).toBe(1);
    void labeler.dispatch({ type: 'typeChar', char: '4' });
    void labeler.dispatch({ type: 'typeChar', char: '2' });
    expect(labeler.labels[digits.id]).toEqual({ state: 'value', value: '42' });
    expect(labeler.saveState).toBe('saving');
    await labeler.flush();
    expect(labeler.saveState).toBe('saved');
    expect(labeler.savedWrites).toBe(2);
    const [first, second] = calls.writes as [[string, { coalesceKey: string }], [string, unknown]];
    // Exactly the request fields: the store's schemas are strict.
    expect(first).toEqual(['set', { imageId: 1, targetId: digits.id, label: { kind: 'value', value: '4' }, coalesceKey: expect.any(String) }]);
    expect(second).toEqual(['set', { imageId: 1, targetId: digits.id, label: { kind: 'value', value: '42' }, coalesceKey: first[1].coalesceKey }]);
  });

  it('Enter accepts the predictions, then shows the next image', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ status: 'pending', order: 'id' });
    expect(labeler.predictions).toEqual({ [font.id]: { value: 'mono', confidence: 0.9 }, [script.id]: { value: null, confidence: 0.4 } });
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.current?.id).toBe(2);
    await labeler.flush();
    expect(calls.writes).toEqual([
      ['accept', { imageId: 1, targetId: font.id }],
      ['accept', { imageId: 1, targetId: script.id }],
    ]);
    expect(labeler.savedWrites).toBe(2);
  });

  it('a write that fails shows the error and what the store really holds', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ status: 'pending', order: 'id' });
    calls.stored.set(1, { [digits.id]: { state: 'value', value: '7' } });
    calls.failSet = 'image 1 is gone';
    void labeler.dispatch({ type: 'typeChar', char: '5' });
    expect(labeler.labels[digits.id]?.value).toBe('5');
    await labeler.flush();
    expect(labeler.saveState).toBe('error');
    expect(labeler.saveError).toBe('image 1 is gone');
    expect(calls.get.filter((id) => id === 1)).toHaveLength(2);
    expect(labeler.labels[digits.id]).toEqual({ state: 'value', value: '7' });
  });
});
