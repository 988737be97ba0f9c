import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type { ImageDetail } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';

/**
 * A fake store behind the API: versioned human labels (a write names the version it was made
 * against; a stale one is refused with a conflict), model suggestions, a typed sequence setting
 * a length not set on its own, and the change events. `hold` keeps writes open until released.
 */
const server = vi.hoisted(() => {
  type Row = { state: 'value' | 'unknown'; value: string | null; origin: string; version: number; runId: number | null; confidence: number | null };
  class ApiCallError extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  const s = {
    ApiCallError,
    clock: 1,
    human: new Map<number, Map<number, Row>>(),
    model: new Map<number, Map<number, { value: string | null; confidence: number; runId: number }>>(),
    ids: [1, 2, 3] as number[],
    calls: [] as [string, Record<string, unknown>][],
    gets: [] as number[],
    held: null as null | { release: () => void; promise: Promise<void> },
    listener: null as null | ((p: { imageIds: number[] }) => void),
    undoTo: null as null | (() => number[]),
    /** The server unreachable: writes fail in transport; 'answer': a write is stored but its answer is lost. */
    down: false as false | 'all' | 'answer',
    reconnect: null as null | (() => void),
    /** Images whose fetch fails in transport (the server down for that request); `slow`: a fetch held until released. */
    unreachable: new Set<number>(),
    slow: new Map<number, Promise<void>>(),
    row(imageId: number) {
      if (!s.human.has(imageId)) s.human.set(imageId, new Map());
      return s.human.get(imageId)!;
    },
    put(imageId: number, targetId: number, label: { state: 'value' | 'unknown'; value: string | null }, origin = 'typed', extra: Partial<Row> = {}) {
      const row = { ...label, origin, version: ++s.clock, runId: null, confidence: null, ...extra };
      s.row(imageId).set(targetId, row);
      return row;
    },
    hold() {
      let release!: () => void;
      const promise = new Promise<void>((r) => (release = r));
      s.held = { release, promise };
      return () => {
        s.held = null;
        release();
      };
    },
    check(imageId: number, targetId: number, expected: unknown) {
      const version = s.row(imageId).get(targetId)?.version ?? 0;
      if (expected !== undefined && expected !== version) throw new ApiCallError('conflict', `target ${targetId} of image ${imageId} changed elsewhere`);
    },
    view(imageId: number, targetId: number) {
      const r = s.row(imageId).get(targetId)!;
      return { targetId, source: 'human', ...r, updatedAt: '' };
    },
  };
  return s;
});

vi.mock('../../renderer/src/api', () => {
  const write =
    (name: string, fn: (req: Record<string, unknown>) => unknown) =>
    async (req: Record<string, unknown>): Promise<unknown> => {
      server.calls.push([name, req]);
      if (server.held) await server.held.promise;
      if (server.down === 'all') throw new server.ApiCallError('unreachable', 'The Polyhead server cannot be reached');
      const result = fn(req);
      if (server.down === 'answer') throw new server.ApiCallError('unreachable', 'The Polyhead server cannot be reached');
      queueMicrotask(() => server.listener?.({ imageIds: [req.imageId as number] }));
      return result;
    };
  const setLabel = (imageId: number, targetId: number, label: { kind: string; value?: string }, origin: string, extra = {}) => {
    server.put(imageId, targetId, label.kind === 'unknown' ? { state: 'unknown', value: null } : { state: 'value', value: label.value! }, origin, extra);
    const length = server.row(imageId).get(2);
    if (targetId === 1 && label.kind === 'value' && (!length || length.origin === 'derived')) {
      const n = label.value!.length;
      server.put(imageId, 2, { state: 'value', value: n > 5 ? '>5' : String(n) }, 'derived');
    }
  };
  return {
    ApiCallError: server.ApiCallError,
    isTransportFailure: (e: Error) => (e as { code?: string }).code === 'unreachable',
    onReconnect: (handler: () => void) => {
      server.reconnect = handler;
      return () => {};
    },
    api: {
      images: {
        ids: async () => ({ ids: [...server.ids] }),
        get: async ({ id }: { id: number }): Promise<ImageDetail> => {
          server.gets.push(id);
          await server.slow.get(id);
          if (server.unreachable.has(id)) throw new server.ApiCallError('unreachable', 'The Polyhead server cannot be reached');
          const human = [...server.row(id).entries()].map(([t]) => server.view(id, t));
          const model = [...(server.model.get(id) ?? new Map()).entries()].map(([targetId, p]) => ({
            targetId,
            state: p.value === null ? 'unknown' : 'value',
            value: p.value,
            source: 'model',
            origin: null,
            confidence: p.confidence,
            runId: p.runId,
            version: 1,
            updatedAt: '',
          }));
          return { id, width: 10, height: 10, originalName: `${id}.png`, labels: {}, annotations: [...human, ...model] } as unknown as ImageDetail;
        },
      },
      annotations: {
        set: write('set', (r) => {
          server.check(r.imageId as number, r.targetId as number, r.expectedVersion);
          setLabel(r.imageId as number, r.targetId as number, r.label as { kind: string }, 'typed');
          return server.view(r.imageId as number, r.targetId as number);
        }),
        clear: write('clear', (r) => {
          server.check(r.imageId as number, r.targetId as number, r.expectedVersion);
          return { cleared: server.row(r.imageId as number).delete(r.targetId as number) };
        }),
        accept: write('accept', (r) => {
          server.check(r.imageId as number, r.targetId as number, r.expectedVersion);
          const p = server.model.get(r.imageId as number)!.get(r.targetId as number)!;
          setLabel(r.imageId as number, r.targetId as number, p.value === null ? { kind: 'unknown' } : { kind: 'value', value: p.value }, 'accepted', p);
          return server.view(r.imageId as number, r.targetId as number);
        }),
        acceptMany: write('acceptMany', (r) => {
          const accepted = (r.targets as { targetId: number }[]).map(({ targetId }) => {
            const p = server.model.get(r.imageId as number)!.get(targetId)!;
            setLabel(r.imageId as number, targetId, p.value === null ? { kind: 'unknown' } : { kind: 'value', value: p.value }, 'accepted', p);
            return server.view(r.imageId as number, targetId);
          });
          return { accepted, skipped: [] };
        }),
        undo: async () => {
          server.calls.push(['undo', {}]);
          const imageIds = server.undoTo?.() ?? [];
          if (server.held) await server.held.promise; // the answer, held back: the change event may come first
          return { description: imageIds.length ? `digits of image ${imageIds[0]}` : null, imageIds };
        },
        redo: async () => ({ description: null, imageIds: [] }),
      },
      training: {
        cell: async () => ({
          items: [
            { imageId: 3, confidence: 0.9 },
            { imageId: 1, confidence: 0.8 },
          ],
        }),
        runs: async () => [{ id: 7, spec: { heads: [{ name: 'len', target: { kind: 'target', target: 'length' } }] } }],
        evaluation: async () => ({ heads: [{ head: 'len', classes: ['0', '1', '2', '3', '4', '5', '>5'] }] }),
      },
    },
    onEvent: (_event: string, handler: (p: { imageIds: number[] }) => void) => {
      server.listener = handler;
      return () => {};
    },
    mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
  };
});

const { useLabelerStore } = await import('../../renderer/src/stores/labeler');
const { useProjectStore } = await import('../../renderer/src/stores/project');
const { default: LabelView } = await import('../../renderer/src/views/LabelView.vue');

const targets: TargetDef[] = defaultTargetDefs();
const [digits, length, font, script] = targets as [TargetDef, TargetDef, TargetDef, TargetDef];
const writes = () => server.calls.filter(([n]) => n !== 'undo');
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('labeler store', () => {
  let decode: PropertyDescriptor | undefined;
  beforeEach(() => {
    decode = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'decode');
    HTMLImageElement.prototype.decode = () => Promise.resolve(); // jsdom does not decode
    setActivePinia(createPinia());
    useProjectStore().targets = targets;
    Object.assign(server, { clock: 1, ids: [1, 2, 3], calls: [], gets: [], held: null, undoTo: null, down: false });
    server.human.clear();
    server.model.clear();
    server.unreachable.clear();
    server.slow.clear();
    // Image 1 comes with the model's guesses: the font at 90%, the script (unknown) at 0.02%.
    server.model.set(
      1,
      new Map([
        [font.id, { value: 'mono', confidence: 0.9, runId: 4 }],
        [script.id, { value: null, confidence: 0.0002, runId: 4 }],
      ]),
    );
    localStorage.clear();
  });
  afterEach(() => {
    if (decode) Object.defineProperty(HTMLImageElement.prototype, 'decode', decode);
    else delete (HTMLImageElement.prototype as Partial<HTMLImageElement>).decode;
  });

  it('keeps writes that failed in transport and sends them, in order, once the server is back', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    server.down = 'all';
    for (const value of ['70', '71', '72']) {
      for (const char of value) void labeler.dispatch({ type: 'typeChar', char });
      await labeler.dispatch({ type: 'saveNext' });
    }
    await settle();
    expect(labeler.saveState).toBe('retrying');
    expect(labeler.unsaved).toBe(3);
    expect(server.human.get(1)?.get(digits.id)).toBeUndefined();
    server.down = false;
    server.reconnect!(); // the event stream is back: sent at once
    await labeler.flush();
    expect(labeler.saveState).toBe('saved');
    expect(labeler.unsaved).toBe(0);
    expect([1, 2, 3].map((id) => server.human.get(id)?.get(digits.id)?.value)).toEqual(['70', '71', '72']);
    expect(labeler.conflicts).toEqual([]);
  });

  it('once the server is back, the shown image is fetched again: a change made meanwhile, whose event was missed, shows', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    server.put(1, font.id, { state: 'value', value: 'serif' }); // another tab, while this page's event stream was down
    server.reconnect!();
    await settle();
    expect(labeler.labels[font.id]).toMatchObject({ state: 'value', value: 'serif' });
  });

  it('a write stored whose answer was lost is not a conflict when sent again', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    server.down = 'answer';
    void labeler.dispatch({ type: 'typeChar', char: '7' });
    await settle();
    expect(labeler.saveState).toBe('retrying');
    server.down = false;
    server.reconnect!();
    await labeler.flush();
    expect(labeler.saveState).toBe('saved');
    expect(labeler.conflicts).toEqual([]);
    expect(server.human.get(1)?.get(digits.id)?.value).toBe('7');
  });

  it('writes keystrokes in order, each against the version the previous one left', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    void labeler.dispatch({ type: 'typeChar', char: '4' });
    void labeler.dispatch({ type: 'typeChar', char: '2' });
    expect(labeler.labels[digits.id]).toMatchObject({ state: 'value', value: '42' });
    expect(labeler.saveState).toBe('saving');
    await labeler.flush();
    expect(labeler.saveState).toBe('saved');
    const [first, second] = writes() as [[string, { coalesceKey: string }], [string, unknown]];
    expect(first).toEqual([
      'set',
      { imageId: 1, targetId: digits.id, label: { kind: 'value', value: '4' }, coalesceKey: expect.any(String), expectedVersion: 0 },
    ]);
    expect(second).toEqual([
      'set',
      { imageId: 1, targetId: digits.id, label: { kind: 'value', value: '42' }, coalesceKey: first[1].coalesceKey, expectedVersion: 2 },
    ]);
  });

  it('Enter never accepts a suggestion; A accepts the active one, Shift+A those at or above the floor, as one write', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'untouched', order: 'id' } });
    expect(labeler.predictions).toEqual({
      [font.id]: { value: 'mono', confidence: 0.9, runId: 4 },
      [script.id]: { value: null, confidence: 0.0002, runId: 4 },
    });
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.current?.id).toBe(2);
    await labeler.dispatch({ type: 'previous' });
    await labeler.flush();
    expect(writes()).toEqual([]);
    // A on digits: no suggestion there, nothing written.
    await labeler.dispatch({ type: 'accept' });
    expect(labeler.message).toMatch(/No suggestion for digits/);
    labeler.focusTarget(2);
    await labeler.dispatch({ type: 'accept' });
    expect(labeler.labels[font.id]).toEqual({ state: 'value', value: 'mono', origin: 'accepted', runId: 4, confidence: 0.9 });
    await labeler.flush();
    expect(writes()).toEqual([['accept', { imageId: 1, targetId: font.id, expectedVersion: 0 }]]);
    // Shift+A with a floor of 50%: the 0.02% script suggestion stays a suggestion.
    labeler.setAcceptFloor(0.5);
    expect(localStorage.getItem('polyhead.acceptFloor')).toBe('0.5');
    await labeler.dispatch({ type: 'acceptAll' });
    expect(labeler.message).toMatch(/No suggestions at or above 50%/);
    labeler.setAcceptFloor(0);
    await labeler.dispatch({ type: 'acceptAll' });
    await labeler.flush();
    expect(writes().at(-1)).toEqual(['acceptMany', { imageId: 1, targets: [{ targetId: script.id, expectedVersion: 0 }], minConfidence: 0 }]);
    expect(labeler.labels[script.id]).toMatchObject({ state: 'unknown', origin: 'accepted' });
  });

  it('a write against a stale version is refused: the newer value is shown, later writes of it are dropped, and the user chooses', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    labeler.focusTarget(2);
    // Another tab sets mono; this page has not heard of it yet.
    server.put(1, font.id, { state: 'value', value: 'mono' });
    const release = server.hold();
    void labeler.dispatch({ type: 'setClass', value: 'serif' });
    void labeler.dispatch({ type: 'setClass', value: 'sans' });
    release();
    await labeler.flush();
    await settle();
    expect(writes().map(([n]) => n)).toEqual(['set']); // 'sans' was never sent
    expect(server.human.get(1)!.get(font.id)!.value).toBe('mono');
    expect(labeler.labels[font.id]).toMatchObject({ state: 'value', value: 'mono' });
    expect(labeler.imageConflicts).toEqual([
      { imageId: 1, targetId: font.id, theirs: expect.objectContaining({ value: 'mono' }), theirsVersion: 2, mine: expect.objectContaining({ value: 'sans' }) },
    ]);
    expect(labeler.saveState).toBe('error');
    // Overwrite with mine: written against the version now seen.
    labeler.resolveConflict(labeler.imageConflicts[0]!, 'mine');
    expect(labeler.labels[font.id]?.value).toBe('sans');
    await labeler.flush();
    expect(writes().at(-1)).toEqual(['set', expect.objectContaining({ label: { kind: 'value', value: 'sans' }, expectedVersion: 2 })]);
    expect(server.human.get(1)!.get(font.id)!.value).toBe('sans');
    expect(labeler.imageConflicts).toEqual([]);
    expect(labeler.saveState).toBe('saved');
  });

  it('keep theirs writes nothing; a newer version of the very label the user saw is written again without asking', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    server.put(1, script.id, { state: 'value', value: 'greek' });
    labeler.focusTarget(3);
    await labeler.dispatch({ type: 'setClass', value: 'latin' });
    await labeler.flush();
    await settle();
    labeler.resolveConflict(labeler.imageConflicts[0]!, 'theirs');
    await labeler.flush();
    expect(writes()).toHaveLength(1);
    expect(labeler.labels[script.id]?.value).toBe('greek');
    expect(labeler.saveState).toBe('saved');
    // The typed digits set the length (a new version this page never saw); setting the length on its own still goes through.
    labeler.focusTarget(0);
    void labeler.dispatch({ type: 'typeChar', char: '1' });
    void labeler.dispatch({ type: 'focusTarget', delta: 1 });
    await labeler.dispatch({ type: 'setClass', value: '3' });
    await labeler.flush();
    await settle();
    expect(labeler.imageConflicts).toEqual([]);
    expect(server.human.get(1)!.get(length.id)).toMatchObject({ value: '3', origin: 'typed' });
    expect(writes().filter(([n, r]) => n === 'set' && r.targetId === length.id)).toHaveLength(1); // no refused write first
    expect(labeler.warnings[digits.id]).toMatch(/1 digits, but length is 3/);
  });

  it('changes from elsewhere reach the shown image while its writes are pending, without undoing what is on its way', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    const release = server.hold();
    void labeler.dispatch({ type: 'typeChar', char: '7' });
    server.put(1, script.id, { state: 'value', value: 'thai' });
    server.listener!({ imageIds: [1] });
    await settle();
    expect(labeler.labels[digits.id]?.value).toBe('7');
    release();
    await labeler.flush();
    await settle();
    expect(labeler.labels[script.id]?.value).toBe('thai');
    expect(labeler.labels[digits.id]?.value).toBe('7');
  });

  it('returning to an image fetches it only after its queued writes are answered', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    const release = server.hold();
    void labeler.dispatch({ type: 'typeChar', char: '5' });
    await labeler.dispatch({ type: 'saveNext' });
    const back = labeler.dispatch({ type: 'previous' });
    await settle();
    const getsBefore = server.gets.filter((id) => id === 1).length;
    release();
    await back;
    expect(server.gets.filter((id) => id === 1).length).toBe(getsBefore + 1);
    expect(labeler.current?.id).toBe(1);
    expect(labeler.labels[digits.id]?.value).toBe('5');
  });

  it('an image that fails to load (the server down) leaves the position on the image shown: keys label it, and Enter tries again', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    server.unreachable.add(2);
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.current?.id).toBe(1);
    expect(labeler.position).toBe(0); // '1 / 3' over image 1, not '2 / 3'
    expect(labeler.message).toMatch(/Image 2 could not be loaded.*cannot be reached.*Enter tries again/);
    await labeler.dispatch({ type: 'typeChar', char: '7' }); // meant for, and set on, the image shown
    expect(labeler.message).not.toMatch(/still loading/);
    await labeler.flush();
    expect(server.human.get(1)?.get(digits.id)?.value).toBe('7');
    server.unreachable.clear(); // the server is back
    await labeler.dispatch({ type: 'saveNext' });
    expect([labeler.position, labeler.current?.id]).toEqual([1, 2]); // image 2, not skipped
    await labeler.dispatch({ type: 'saveNext' });
    expect([labeler.position, labeler.current?.id]).toEqual([2, 3]);
  });

  it('Enter while the next image is still on its way waits for it: an image never shown is never passed over', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    let arrive!: () => void;
    server.slow.set(2, new Promise<void>((r) => (arrive = r)));
    server.listener!({ imageIds: [2] }); // image 2 changed elsewhere: fetched again, slowly
    const first = labeler.dispatch({ type: 'saveNext' });
    const second = labeler.dispatch({ type: 'saveNext' });
    arrive();
    await Promise.all([first, second]);
    await settle();
    expect([labeler.position, labeler.current?.id]).toEqual([1, 2]);
  });

  it('fetches the image entering the prefetch window once the shown image is painted, not on the way to that frame', async () => {
    server.ids = [1, 2, 3, 4, 5, 6];
    const painted = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 5)));
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    expect(server.gets).toEqual([1]);
    await painted();
    await settle();
    expect(server.gets).toEqual([1, 2, 3, 4]);
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.current?.id).toBe(2);
    expect(server.gets).toEqual([1, 2, 3, 4]); // image 2 was prefetched: moving on fetches nothing
    await painted();
    await settle();
    expect(server.gets).toEqual([1, 2, 3, 4, 5]);
  });

  it('a per-target queue keeps the keys on its target from image to image; a queue clears details and elements', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'any', order: 'id', target: { targetId: font.id, state: 'pending', source: 'human' } } });
    expect(labeler.activeTarget?.name).toBe('font_style');
    await labeler.dispatch({ type: 'jumpTarget', index: 0 });
    expect(labeler.activeTarget?.name).toBe('digits');
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.activeTarget?.name).toBe('font_style');
    await labeler.dispatch({ type: 'setClass', value: 'serif' });
    await labeler.flush();
    expect(writes().map(([, r]) => r.targetId)).toEqual([font.id]);
    const held = labeler.imageElement(3);
    await labeler.open({ kind: 'filter', filter: { status: 'any', order: 'id' } });
    expect(labeler.imageElement(3)).not.toBe(held);
  });

  it('after an undo the next digit replaces the field, also when the change event shows the undone value before the undo is answered', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    for (const char of '49228') void labeler.dispatch({ type: 'typeChar', char });
    await labeler.dispatch({ type: 'focusTarget', delta: 1 });
    await labeler.dispatch({ type: 'focusTarget', delta: -1 });
    void labeler.dispatch({ type: 'typeChar', char: '7' });
    await labeler.flush();
    // The store undoes the 7 and its change event arrives; the answer to the undo call comes later.
    const release = server.hold();
    server.undoTo = () => {
      server.put(1, digits.id, { state: 'value', value: '49228' });
      server.listener?.({ imageIds: [1] });
      return [1];
    };
    const undone = labeler.dispatch({ type: 'undo' });
    await settle();
    expect(labeler.labels[digits.id]?.value).toBe('49228');
    void labeler.dispatch({ type: 'typeChar', char: '2' });
    void labeler.dispatch({ type: 'typeChar', char: '3' });
    expect(labeler.labels[digits.id]?.value).toBe('23');
    release();
    await undone;
    await labeler.flush();
    await settle();
    expect(labeler.labels[digits.id]?.value).toBe('23');
    void labeler.dispatch({ type: 'typeChar', char: '4' });
    expect(labeler.labels[digits.id]?.value).toBe('234'); // typing after the undo goes on in the same field
  });

  it('after an undo the next digit replaces the field', async () => {
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
    for (const char of '492282') void labeler.dispatch({ type: 'typeChar', char });
    await labeler.flush();
    server.undoTo = () => (server.put(1, digits.id, { state: 'value', value: '49228' }), [1]);
    await labeler.dispatch({ type: 'undo' });
    expect(labeler.labels[digits.id]?.value).toBe('49228');
    await labeler.dispatch({ type: 'typeChar', char: '2' });
    expect(labeler.labels[digits.id]?.value).toBe('2');
  });

  it('"finished" only when every image of the queue is labeled; Enter at the end goes to the first unlabeled; messages go away', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const labeler = useLabelerStore();
      labeler.say('hello');
      vi.advanceTimersByTime(5000);
      expect(labeler.message).toBeNull();
    } finally {
      vi.useRealTimers();
    }
    const labeler = useLabelerStore();
    await labeler.open({ kind: 'cell', runId: 7, head: 'len', trueIndex: 1, predIndex: 2 });
    expect(labeler.ids).toEqual([3, 1]);
    expect(labeler.activeTarget?.name).toBe('length');
    expect(labeler.cellClasses).toEqual(['0', '1', '2', '3', '4', '5', '>5']); // the cell's title names its classes
    server.ids = [1]; // image 1 still has no length
    await labeler.dispatch({ type: 'skip' });
    await labeler.dispatch({ type: 'skip' });
    await settle();
    expect(labeler.done).toBe(true);
    expect(labeler.remaining).toBe(1);
    expect(labeler.finished).toBe(false);
    await labeler.dispatch({ type: 'saveNext' });
    expect(labeler.current?.id).toBe(1);
    server.ids = [];
    await labeler.dispatch({ type: 'skip' });
    await settle();
    expect(labeler.finished).toBe(true);
  });

  describe('moving away from a text draft with the mouse', () => {
    const line: TargetDef = {
      id: 20,
      name: 'line',
      kind: 'sequence',
      alphabet: 'abcdefghijklmnopqrstuvwxyz ',
      maxLength: 40,
      sourceTargetId: null,
      position: 9,
      hotkey: null,
      classes: [],
    };
    const lineOf = (imageId: number) => server.human.get(imageId)?.get(line.id)?.value;

    /** The labeler view on image 1 of the pending queue, behind a router (as Back, a link or the sidebar move it). */
    async function openView() {
      useProjectStore().targets = [...targets, line];
      const router = createRouter({
        history: createMemoryHistory(),
        routes: [
          { path: '/label', name: 'label', component: LabelView },
          { path: '/dataset', name: 'dataset', component: { render: () => null } },
        ],
      });
      await router.push({ name: 'label', query: { queue: 'pending', image: '1' } });
      const CropViewer = defineComponent({
        setup:
          (_, { slots }) =>
          () =>
            h('div', slots.default?.()),
      });
      const wrapper = mount(RouterView, { global: { plugins: [router], stubs: { CropViewer, QueuePicker: true } }, attachTo: document.body });
      await settle();
      const field = () => wrapper.get('.target-control[data-target=line] input');
      /** Clicks into the text field and types `text` (the field shows it; nothing is written yet). */
      const typeInField = async (text: string) => {
        await field().trigger('mousedown');
        (field().element as HTMLInputElement).focus();
        (field().element as HTMLInputElement).value = text;
        await field().trigger('input');
        await settle();
      };
      const goToImage = (id: number) => router.push({ name: 'label', query: { queue: 'pending', image: String(id) } });
      return { router, wrapper, field, typeInField, goToImage };
    }

    it('writes a valid draft when the image is left without Enter (Back, a link: the field never blurs)', async () => {
      const { wrapper, typeInField, goToImage } = await openView();
      const labeler = useLabelerStore();
      expect(labeler.current?.id).toBe(1);
      await typeInField('naive');
      expect(lineOf(1)).toBeUndefined(); // a draft: nothing written while typing
      await goToImage(2);
      await settle();
      expect(labeler.current?.id).toBe(2);
      await labeler.flush();
      expect(lineOf(1)).toBe('naive');
      wrapper.unmount();
    });

    it('writes a valid draft to its own target when a class of another target is clicked', async () => {
      const { wrapper, typeInField, goToImage } = await openView();
      const labeler = useLabelerStore();
      await goToImage(2);
      await settle();
      await typeInField('zebra');
      const serif = wrapper.get('.target-control[data-target=font_style] .chip[data-value=serif]');
      await serif.trigger('mousedown');
      await serif.trigger('click');
      await settle();
      await labeler.flush();
      expect(lineOf(2)).toBe('zebra');
      expect(server.human.get(2)?.get(font.id)?.value).toBe('serif');
      wrapper.unmount();
    });

    it('an image left by the store itself (an undo reaching another image) with a draft that cannot be saved says it was not saved', async () => {
      useProjectStore().targets = [...targets, line];
      const labeler = useLabelerStore();
      await labeler.open({ kind: 'filter', filter: { status: 'pending', order: 'id' } });
      labeler.holdDraft(line.id, { value: 'naïve', problem: "'ï' not in the alphabet of line: not saved" });
      await labeler.dispatch({ type: 'skip' });
      expect(labeler.current?.id).toBe(2);
      expect(labeler.message).toBe('Image #1: "naïve" — \'ï\' not in the alphabet of line: not saved');
      await labeler.flush();
      expect(lineOf(1)).toBeUndefined();
      expect(labeler.draft).toBeNull();
    });

    it('shows the image again when the user comes back to the view (the sidebar: no other image, no change to follow)', async () => {
      const { router, wrapper } = await openView();
      const shown = () => wrapper.find('.stage-image img').attributes('data-image-id');
      expect(shown()).toBe('1');
      await router.push({ name: 'dataset' });
      await router.push({ name: 'label' });
      await settle();
      expect(shown()).toBe('1');
      wrapper.unmount();
    });

    it('keeps the user on the image with a draft that cannot be saved, saying so; Esc drops it and the move goes on', async () => {
      const { router, wrapper, field, typeInField, goToImage } = await openView();
      const labeler = useLabelerStore();
      await typeInField('naïve');
      await goToImage(2);
      await settle();
      expect(labeler.current?.id).toBe(1);
      expect(router.currentRoute.value.query.image).toBe('1');
      expect(labeler.message).toBe("'ï' not in the alphabet of line: not saved — fix it, or press Esc to drop it, before leaving this image");
      expect((field().element as HTMLInputElement).value).toBe('naïve');
      await labeler.flush();
      expect(lineOf(1)).toBeUndefined();
      await field().trigger('keydown', { key: 'Escape' });
      await settle();
      await goToImage(2);
      await settle();
      expect(labeler.current?.id).toBe(2);
      expect(server.human.get(1)?.get(line.id)).toBeUndefined();
      wrapper.unmount();
    });
  });
});
