/**
 * The labeler's writes on their way to the store. Labels change on screen at once; the
 * writes that persist them go out in order, one at a time, each answered before the next
 * is sent, so the store ends up as the screen shows it. The save state says when
 * everything sent so far is stored.
 *
 * Pure: the transport is injected (`send`) and the save state is reported (`onStatus`),
 * so this runs, and is tested, without Vue or the API.
 */
import type { LabelInput } from '../../../shared/targets.js';
import type { LabelWrite } from './label-state';

export type SaveState = 'saved' | 'saving' | 'error';

export interface SaveStatus {
  state: SaveState;
  /** The message of the last write that failed; kept until another one fails. */
  error: string | null;
  /** Writes the store has answered since the queue was made. */
  savedWrites: number;
}

/**
 * One store call. Label writes carry a coalesce key: the keystrokes typed into one field
 * share it, and the store makes them one undo step.
 */
export type QueuedWrite =
  | { kind: 'set'; imageId: number; targetId: number; label: LabelInput; coalesceKey: string }
  | { kind: 'clear'; imageId: number; targetId: number; coalesceKey: string }
  | { kind: 'accept'; imageId: number; targetId: number };

export interface WriteQueueOptions {
  /** Performs one write; a rejection is shown as the save error. */
  send: (write: QueuedWrite) => Promise<unknown>;
  /** Called whenever the save status changes. */
  onStatus?: (status: Readonly<SaveStatus>) => void;
  /** After a write failed (e.g. show what the store really holds); later writes wait for it. */
  onFailure?: (write: QueuedWrite, error: Error) => Promise<void> | void;
  /** Tells this window's coalesce keys from another's; random by default. */
  session?: string;
}

export interface WriteQueue {
  /** Queues the write of one label (or its clearing), keyed for coalescing within the edit session. */
  label(imageId: number, write: LabelWrite): void;
  /** Queues accepting the model's prediction of one target as the human label. */
  accept(imageId: number, targetId: number): void;
  /** Starts a new edit session (another image or field): later keystrokes no longer coalesce with earlier ones. */
  newEditSession(): void;
  /** Resolves once every write so far has been answered. */
  flush(): Promise<void>;
  /** Writes queued and not yet answered. */
  readonly pending: number;
  readonly status: Readonly<SaveStatus>;
}

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const session = options.session ?? Math.random().toString(36).slice(2, 10);
  const status: SaveStatus = { state: 'saved', error: null, savedWrites: 0 };
  const report = () => options.onStatus?.({ ...status });
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let editSession = 0;

  function push(write: QueuedWrite): void {
    pending++;
    status.state = 'saving';
    report();
    chain = chain
      .then(async () => {
        await options.send(write);
        status.savedWrites++;
        report();
      })
      .catch(async (e: Error) => {
        status.error = e.message;
        status.state = 'error';
        report();
        await options.onFailure?.(write, e);
      })
      .finally(() => {
        pending--;
        // A failure stays shown until another write is queued.
        if (pending === 0 && status.state !== 'error') {
          status.state = 'saved';
          report();
        }
      });
  }

  return {
    label(imageId, { targetId, label }) {
      const coalesceKey = `${session}:${imageId}:${targetId}:${editSession}`;
      push(label ? { kind: 'set', imageId, targetId, label, coalesceKey } : { kind: 'clear', imageId, targetId, coalesceKey });
    },
    accept(imageId, targetId) {
      push({ kind: 'accept', imageId, targetId });
    },
    newEditSession() {
      editSession++;
    },
    flush: () => chain,
    get pending() {
      return pending;
    },
    get status() {
      return status;
    },
  };
}
