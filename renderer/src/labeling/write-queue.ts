/**
 * The labeler's writes on their way to the store. Labels change on screen at once; the
 * writes that persist them go out in order, one at a time, each answered before the next
 * is sent, so the store ends up as the screen shows it. The save state says when
 * everything sent so far is stored.
 *
 * Each write says which stored labels it changes (`touches`: a typed sequence changes its
 * length too), so the labeler knows which labels on screen are ahead of the store while it
 * is pending, can wait for one image's writes before fetching that image again, and can drop
 * the later writes of a label whose write was refused (a conflict: changed elsewhere).
 *
 * A write that failed in transport (the server down, a network error, a 5xx: `isTransient`)
 * is not a refusal: it stays at the head of the queue and is sent again, with a growing
 * delay or at once on `retryNow`, until the store answers it; later writes wait behind it,
 * so order holds. Sent again with the same coalesce key, it stays one undo step.
 *
 * Pure: the transport is injected (`send`) and the save state is reported (`onStatus`),
 * so this runs, and is tested, without Vue or the API.
 */
import type { LabelInput } from '../../../shared/targets.js';
import type { LabelWrite, ShownLabel } from './label-state';

export type SaveState = 'saved' | 'saving' | 'retrying' | 'error';

/** The delay before sending a write again after a transport failure, doubling up to the most. */
const RETRY_FIRST_MS = 500;
const RETRY_MOST_MS = 10_000;

export interface SaveStatus {
  state: SaveState;
  /** The message of the last write that failed; kept until another one fails or it is dismissed. */
  error: string | null;
  /** Writes the store has answered since the queue was made. */
  savedWrites: number;
  /** Labels (image and target) with a write queued and not yet answered. */
  unsaved: number;
}

/** What the user saw and did: the label before the edit (the write is made against it) and after it. */
export interface WriteIntent {
  before: ShownLabel | null;
  after: ShownLabel | null;
  /** Stored labels the write changes besides its target (a typed sequence's length). */
  alsoTouches?: number[];
}

/**
 * One store call. Label writes carry a coalesce key: the keystrokes typed into one field
 * share it, and the store makes them one undo step.
 */
export type QueuedWrite = (
  | { kind: 'set'; imageId: number; targetId: number; label: LabelInput; coalesceKey: string }
  | { kind: 'clear'; imageId: number; targetId: number; coalesceKey: string }
  | { kind: 'accept'; imageId: number; targetId: number }
  | { kind: 'acceptMany'; imageId: number; targetIds: number[]; minConfidence: number }
) & { intent?: WriteIntent };

export interface WriteQueueOptions {
  /** Performs one write; a rejection is shown as the save error. */
  send: (write: QueuedWrite) => Promise<unknown>;
  /** Called whenever the save status changes. */
  onStatus?: (status: Readonly<SaveStatus>) => void;
  /** After a write failed (e.g. show what the store really holds); later writes wait for it. */
  onFailure?: (write: QueuedWrite, error: Error) => Promise<void> | void;
  /** Whether a failure is of the transport (sent again later) rather than a refusal; none by default. */
  isTransient?: (error: Error) => boolean;
  /** Tells this window's coalesce keys from another's; random by default. */
  session?: string;
}

export interface WriteQueue {
  /** Queues the write of one label (or its clearing), keyed for coalescing within the edit session. */
  label(imageId: number, write: LabelWrite, intent?: WriteIntent): void;
  /** Queues accepting the model's prediction of one target as the human label. */
  accept(imageId: number, targetId: number, intent?: WriteIntent): void;
  /** Queues accepting several targets' predictions of one image as one undo step. */
  acceptMany(imageId: number, targetIds: number[], minConfidence: number, touches: number[]): void;
  /**
   * Runs `task` (an undo or redo) once every write queued before it is answered, and sends the
   * writes queued after it only once it is done: keys pressed after Ctrl+Z act on what the undo
   * left, and the undo takes back the step before it, never one made after it.
   */
  barrier<T>(task: () => Promise<T>): Promise<T>;
  /** Images with a write queued or in flight. */
  pendingImages(): Set<number>;
  /** Starts a new edit session (another image or field): later keystrokes no longer coalesce with earlier ones. */
  newEditSession(): void;
  /** Drops the writes not yet sent that match; returns them. */
  cancel(match: (write: QueuedWrite) => boolean): QueuedWrite[];
  /** Targets of the image with a write queued or in flight: their labels on screen are ahead of the store. */
  pendingTargets(imageId: number): Set<number>;
  /** How many writes of the image were ever queued: a fetch that started before the count changed may be stale. */
  writesQueued(imageId: number): number;
  /** Resolves once every write of the image (of all images, without one) so far has been answered or dropped. */
  idle(imageId?: number): Promise<void>;
  /** Resolves once every write so far has been answered. */
  flush(): Promise<void>;
  /** Sends a write waiting to be retried now (the connection is back). */
  retryNow(): void;
  /** Forgets the last error (the user chose to keep the store's label). */
  dismissError(): void;
  /** Writes queued and not yet answered. */
  readonly pending: number;
  readonly status: Readonly<SaveStatus>;
}

/** The stored labels a write changes. */
export function touchedBy(write: QueuedWrite): number[] {
  if (write.kind === 'acceptMany') return write.targetIds.concat(write.intent?.alsoTouches ?? []);
  return [write.targetId, ...(write.intent?.alsoTouches ?? [])];
}

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const session = options.session ?? Math.random().toString(36).slice(2, 10);
  const status: SaveStatus = { state: 'saved', error: null, savedWrites: 0, unsaved: 0 };
  const countUnsaved = () => {
    status.unsaved = new Set(open().map((w) => `${w.imageId}:${touchedBy(w).join(',')}`)).size;
    return status;
  };
  const report = () => options.onStatus?.({ ...countUnsaved() });
  /** Ends the wait before a retry. */
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => wake?.(), ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });
  const waiting: QueuedWrite[] = [];
  let running: QueuedWrite | null = null;
  let editSession = 0;
  const queuedCount = new Map<number, number>();
  let waiters: { imageId: number | undefined; resolve: () => void }[] = [];
  /** Each write's place in the order of queueing; a barrier runs after the writes up to `after`. */
  const order = new WeakMap<QueuedWrite, number>();
  let queuedSoFar = 0;
  const barriers: { after: number; run: () => Promise<void> }[] = [];
  let barrierRunning = false;

  const open = () => (running ? [running, ...waiting] : waiting);
  function idle(imageId?: number): Promise<void> {
    const busy = imageId === undefined ? open().length > 0 : open().some((w) => w.imageId === imageId);
    if (!busy) return Promise.resolve();
    return new Promise((resolve) => waiters.push({ imageId, resolve }));
  }
  function wakeWaiters(): void {
    const all = open();
    waiters = waiters.filter((w) => {
      const busy = w.imageId === undefined ? all.length > 0 : all.some((x) => x.imageId === w.imageId);
      if (!busy) w.resolve();
      return busy;
    });
  }
  function settled(): void {
    // A failure stays shown until another write is queued.
    if (open().length === 0 && status.state !== 'error') {
      status.state = 'saved';
      report();
    }
    wakeWaiters();
  }

  /** Sends one write until it is answered or refused; true when the store answered it. */
  async function run(write: QueuedWrite): Promise<boolean> {
    for (let delay = RETRY_FIRST_MS; ; delay = Math.min(2 * delay, RETRY_MOST_MS)) {
      try {
        await options.send(write);
        status.savedWrites++;
        if (status.state === 'retrying') {
          status.state = 'saving';
          status.error = null;
        }
        return true;
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        status.error = error.message;
        if (options.isTransient?.(error)) {
          status.state = 'retrying';
          report();
          await pause(delay);
          continue;
        }
        status.state = 'error';
        report();
        await options.onFailure?.(write, error);
        return false;
      }
    }
  }

  function pump(): void {
    if (running || barrierRunning) return;
    const barrier = barriers[0];
    if (barrier && (waiting.length === 0 || order.get(waiting[0]!)! > barrier.after)) {
      barriers.shift();
      barrierRunning = true;
      void barrier.run().finally(() => {
        barrierRunning = false;
        pump();
      });
      return;
    }
    if (waiting.length === 0) return;
    const write = waiting.shift()!;
    running = write;
    void run(write)
      .catch(() => false)
      .then((answered) => {
        running = null;
        if (answered) report(); // counted without it
        settled();
        pump();
      });
  }

  function push(write: QueuedWrite): void {
    queuedCount.set(write.imageId, (queuedCount.get(write.imageId) ?? 0) + 1);
    order.set(write, ++queuedSoFar);
    waiting.push(write);
    if (status.state !== 'retrying') status.state = 'saving'; // still waiting for the store to be reached
    report();
    pump();
  }

  return {
    label(imageId, { targetId, label }, intent) {
      const coalesceKey = `${session}:${imageId}:${targetId}:${editSession}`;
      const w: QueuedWrite = label ? { kind: 'set', imageId, targetId, label, coalesceKey } : { kind: 'clear', imageId, targetId, coalesceKey };
      push(intent ? { ...w, intent } : w);
    },
    accept(imageId, targetId, intent) {
      push(intent ? { kind: 'accept', imageId, targetId, intent } : { kind: 'accept', imageId, targetId });
    },
    acceptMany(imageId, targetIds, minConfidence, touches) {
      const alsoTouches = touches.filter((t) => !targetIds.includes(t));
      push({ kind: 'acceptMany', imageId, targetIds, minConfidence, intent: { before: null, after: null, alsoTouches } });
    },
    barrier<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        barriers.push({ after: queuedSoFar, run: () => task().then(resolve, reject) });
        pump();
      });
    },
    pendingImages: () => new Set(open().map((w) => w.imageId)),
    newEditSession() {
      editSession++;
    },
    retryNow() {
      wake?.();
    },
    cancel(match) {
      const dropped = waiting.filter(match);
      if (dropped.length === 0) return [];
      for (const w of dropped) waiting.splice(waiting.indexOf(w), 1);
      if (!running) settled();
      else wakeWaiters();
      return dropped;
    },
    pendingTargets(imageId) {
      return new Set(open().flatMap((w) => (w.imageId === imageId ? touchedBy(w) : [])));
    },
    writesQueued: (imageId) => queuedCount.get(imageId) ?? 0,
    idle,
    flush: () => idle(),
    dismissError() {
      status.error = null;
      if (status.state === 'error') status.state = open().length > 0 ? 'saving' : 'saved';
      report();
    },
    get pending() {
      return open().length;
    },
    get status() {
      return countUnsaved();
    },
  };
}
