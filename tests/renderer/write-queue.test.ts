import { describe, expect, it, vi } from 'vitest';
import { createWriteQueue, type QueuedWrite, type SaveStatus } from '../../renderer/src/labeling/write-queue';

/** A send whose calls stay open until the test answers them, one by one. */
function manualSend() {
  const calls: { write: QueuedWrite; resolve: () => void; reject: (e: Error) => void }[] = [];
  const send = (write: QueuedWrite) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ write, resolve, reject });
    });
  return { calls, send };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('write queue', () => {
  it('sends writes in order, the next only once the previous is answered', async () => {
    const { calls, send } = manualSend();
    const queue = createWriteQueue({ send, session: 's' });
    queue.label(1, { targetId: 10, label: { kind: 'value', value: '1' } });
    queue.label(1, { targetId: 10, label: null });
    queue.accept(2, 11);
    await settle();
    expect(calls.map((c) => c.write.kind)).toEqual(['set']);
    calls[0]!.resolve();
    await settle();
    expect(calls.map((c) => c.write.kind)).toEqual(['set', 'clear']);
    calls[1]!.resolve();
    await settle();
    expect(calls.map((c) => c.write)).toEqual([
      { kind: 'set', imageId: 1, targetId: 10, label: { kind: 'value', value: '1' }, coalesceKey: 's:1:10:0' },
      { kind: 'clear', imageId: 1, targetId: 10, coalesceKey: 's:1:10:0' },
      { kind: 'accept', imageId: 2, targetId: 11 },
    ]);
    calls[2]!.resolve();
    await queue.flush();
    expect(queue.pending).toBe(0);
  });

  it('runs a barrier (an undo) after the writes queued before it and before those queued after it', async () => {
    const { calls, send } = manualSend();
    const queue = createWriteQueue({ send, session: 's' });
    const seen: string[] = [];
    queue.label(1, { targetId: 10, label: { kind: 'value', value: 'mono' } });
    let finishUndo!: () => void;
    const undone = queue.barrier(async () => {
      seen.push(`undo after ${calls.length} write(s) sent`);
      await new Promise<void>((r) => (finishUndo = r));
      return 'undone';
    });
    queue.label(1, { targetId: 10, label: { kind: 'value', value: 'handwriting' } }); // a key pressed after Ctrl+Z
    await settle();
    expect(calls).toHaveLength(1);
    expect(seen).toEqual([]); // the write before it is still open
    calls[0]!.resolve();
    await settle();
    expect(seen).toEqual(['undo after 1 write(s) sent']);
    expect(calls).toHaveLength(1); // the later key waits for the undo
    expect(queue.pendingImages()).toEqual(new Set([1]));
    finishUndo();
    expect(await undone).toBe('undone');
    await settle();
    expect(calls.map((c) => c.write.kind === 'set' && c.write.label)).toEqual([
      { kind: 'value', value: 'mono' },
      { kind: 'value', value: 'handwriting' },
    ]);
    calls[1]!.resolve();
    await queue.flush();
    expect(queue.status.state).toBe('saved');
  });

  it('reports saving while writes are open and saved once all are answered', async () => {
    const { calls, send } = manualSend();
    const seen: SaveStatus[] = [];
    const queue = createWriteQueue({ send, onStatus: (s) => seen.push({ ...s }) });
    expect(queue.status).toEqual({ state: 'saved', error: null, savedWrites: 0, unsaved: 0 });
    queue.accept(1, 1);
    queue.accept(1, 2);
    expect(queue.status.state).toBe('saving');
    expect(queue.pending).toBe(2);
    await settle();
    calls[0]!.resolve();
    await settle();
    expect(queue.status).toEqual({ state: 'saving', error: null, savedWrites: 1, unsaved: 1 });
    calls[1]!.resolve();
    await queue.flush();
    expect(queue.status).toEqual({ state: 'saved', error: null, savedWrites: 2, unsaved: 0 });
    expect(seen.map((s) => s.state)).toEqual(['saving', 'saving', 'saving', 'saving', 'saved']);
    expect(seen.at(-1)).toEqual(queue.status);
  });

  it('surfaces a failed write, lets the owner recover before later writes, and keeps going', async () => {
    const sent: QueuedWrite[] = [];
    const order: string[] = [];
    const queue = createWriteQueue({
      send: async (write) => {
        sent.push(write);
        const targetId = write.kind === 'acceptMany' ? 0 : write.targetId;
        order.push(`send ${targetId}`);
        if (targetId === 2) throw new Error('image 5 is gone');
      },
      onFailure: async (write, error) => {
        order.push(`recover ${write.imageId}: ${error.message}`);
      },
    });
    queue.accept(5, 1);
    queue.accept(5, 2);
    queue.accept(5, 3);
    await queue.flush();
    expect(order).toEqual(['send 1', 'send 2', 'recover 5: image 5 is gone', 'send 3']);
    // The error stays shown after the queue drains: the write it names was lost.
    expect(queue.status).toEqual({ state: 'error', error: 'image 5 is gone', savedWrites: 2, unsaved: 0 });
    queue.accept(5, 4);
    expect(queue.status.state).toBe('saving');
    await queue.flush();
    expect(queue.status).toEqual({ state: 'saved', error: 'image 5 is gone', savedWrites: 3, unsaved: 0 });
  });

  it('coalesces keystrokes in one field of one image within an edit session, and nothing else', async () => {
    const sent: QueuedWrite[] = [];
    const queue = createWriteQueue({ send: async (w) => void sent.push(w), session: 'win' });
    const type = (imageId: number, targetId: number, value: string) => queue.label(imageId, { targetId, label: { kind: 'value', value } });
    type(7, 1, '1');
    type(7, 1, '12');
    type(7, 2, 'a'); // another field
    type(8, 1, '3'); // another image
    queue.newEditSession(); // the field was left and entered again
    type(7, 1, '9');
    await queue.flush();
    const keys = sent.map((w) => (w.kind === 'set' || w.kind === 'clear' ? w.coalesceKey : null));
    expect(keys).toEqual(['win:7:1:0', 'win:7:1:0', 'win:7:2:0', 'win:8:1:0', 'win:7:1:1']);
  });

  it('gives each window its own coalesce keys', async () => {
    const keys: string[] = [];
    const send = async (w: QueuedWrite) => void ((w.kind === 'set' || w.kind === 'clear') && keys.push(w.coalesceKey));
    const a = createWriteQueue({ send });
    const b = createWriteQueue({ send });
    a.label(1, { targetId: 1, label: { kind: 'unknown' } });
    b.label(1, { targetId: 1, label: { kind: 'unknown' } });
    await Promise.all([a.flush(), b.flush()]);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("knows which labels of an image are on their way, waits per image, and drops a refused label's later writes", async () => {
    const { calls, send } = manualSend();
    const queue = createWriteQueue({ send, session: 's' });
    const intent = { before: null, after: { state: 'value' as const, value: '12' }, alsoTouches: [2] };
    queue.label(1, { targetId: 1, label: { kind: 'value', value: '1' } }, intent);
    queue.label(1, { targetId: 1, label: { kind: 'value', value: '12' } }, intent);
    queue.label(1, { targetId: 3, label: { kind: 'unknown' } });
    queue.acceptMany(2, [3, 4], 0.5, [3, 4, 5]);
    expect([...queue.pendingTargets(1)].sort()).toEqual([1, 2, 3]);
    expect([...queue.pendingTargets(2)].sort()).toEqual([3, 4, 5]);
    expect(queue.writesQueued(1)).toBe(3);
    let twoIdle = false;
    void queue.idle(2).then(() => (twoIdle = true));
    let oneIdle = false;
    void queue.idle(1).then(() => (oneIdle = true));
    await settle();
    // The first write is in flight: drop the later ones of that label.
    const dropped = queue.cancel((w) => w.imageId === 1 && w.kind === 'set' && w.targetId === 1);
    expect(dropped.map((w) => (w.kind === 'set' ? w.label : null))).toEqual([{ kind: 'value', value: '12' }]);
    calls[0]!.resolve();
    await settle();
    expect(oneIdle).toBe(false); // the unknown of target 3 is still to go
    calls[1]!.resolve();
    await settle();
    expect(oneIdle).toBe(true);
    expect(twoIdle).toBe(false);
    expect(calls[2]!.write).toEqual({
      kind: 'acceptMany',
      imageId: 2,
      targetIds: [3, 4],
      minConfidence: 0.5,
      intent: { before: null, after: null, alsoTouches: [5] },
    });
    calls[2]!.resolve();
    await queue.flush();
    expect(twoIdle).toBe(true);
    expect(queue.pendingTargets(1).size).toBe(0);
  });

  it("an error the user dismissed (kept the store's label) is no longer shown", async () => {
    const queue = createWriteQueue({
      send: async () => {
        throw new Error('changed elsewhere');
      },
    });
    queue.accept(1, 1);
    await queue.flush();
    expect(queue.status.state).toBe('error');
    queue.dismissError();
    expect(queue.status).toEqual({ state: 'saved', error: null, savedWrites: 0, unsaved: 0 });
  });
});

describe('write queue: transport failures', () => {
  const offline = () => Object.assign(new Error('The Polyhead server cannot be reached'), { transient: true });
  const isTransient = (e: Error) => 'transient' in e;

  it('keeps a write that failed in transport queued and retries it, in order, until it is answered', async () => {
    const { calls, send } = manualSend();
    const statuses: SaveStatus[] = [];
    const failures: QueuedWrite[] = [];
    const queue = createWriteQueue({ send, session: 's', isTransient, onStatus: (s) => statuses.push(s), onFailure: (w) => void failures.push(w) });
    queue.label(1, { targetId: 10, label: { kind: 'value', value: '70' } });
    queue.label(2, { targetId: 10, label: { kind: 'value', value: '71' } });
    queue.label(3, { targetId: 10, label: { kind: 'value', value: '72' } });
    await settle();
    calls[0]!.reject(offline());
    await settle();
    expect(queue.pending).toBe(3);
    expect(queue.status).toMatchObject({ state: 'retrying', unsaved: 3 });
    queue.retryNow(); // the browser is online again, or the event stream reconnected
    await settle();
    expect(calls.map((c) => c.write.imageId)).toEqual([1, 1]); // the same write again, the later ones wait
    expect(calls[1]!.write).toEqual(calls[0]!.write); // same coalesce key: one undo step
    calls[1]!.resolve();
    await settle();
    calls[2]!.resolve();
    await settle();
    calls[3]!.resolve();
    await queue.flush();
    expect(calls.map((c) => c.write.imageId)).toEqual([1, 1, 2, 3]);
    expect(failures).toEqual([]);
    expect(queue.status).toMatchObject({ state: 'saved', error: null, unsaved: 0 });
  });

  it('retries on its own with a growing delay', async () => {
    vi.useFakeTimers();
    try {
      const { calls, send } = manualSend();
      const queue = createWriteQueue({ send, session: 's', isTransient });
      queue.label(1, { targetId: 10, label: { kind: 'value', value: '7' } });
      await vi.advanceTimersByTimeAsync(0);
      calls[0]!.reject(offline());
      await vi.advanceTimersByTimeAsync(499);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(2);
      calls[1]!.reject(offline());
      await vi.advanceTimersByTimeAsync(999);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(3);
      calls[2]!.resolve();
      await vi.advanceTimersByTimeAsync(0);
      expect(queue.status.state).toBe('saved');
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not retry a refusal (a conflict, an invalid request)', async () => {
    const { calls, send } = manualSend();
    const failures: QueuedWrite[] = [];
    const queue = createWriteQueue({ send, session: 's', isTransient, onFailure: (w) => void failures.push(w) });
    queue.label(1, { targetId: 10, label: { kind: 'value', value: '7' } });
    await settle();
    calls[0]!.reject(new Error('conflict'));
    await queue.flush();
    queue.retryNow();
    await settle();
    expect(calls).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(queue.status.state).toBe('error');
  });
});
