import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { decodeWorkerPath } from '../platform/paths.js';
import { ItemRejected, type DecodedImage } from './decode.js';
import type { DecodeReply } from './decode-worker.js';
import type { ImportLimits, LoadedFile } from './load-image-file.js';

/** The compiled worker exists (it does not when running from sources without a build): else decoding stays on the main thread. */
export function decodeThreadsAvailable(): boolean {
  return existsSync(decodeWorkerPath);
}

/** A decoding thread died or could not start (e.g. a packaged app whose archive a thread cannot load from): decode on the main thread instead. */
export class DecodeThreadFailed extends Error {}

/** Decoding threads for one import: each file goes to the thread with the fewest waiting. */
export class DecodePool {
  private broken: Error | null = null;
  private readonly workers: { worker: Worker; waiting: number }[];
  private readonly replies = new Map<number, { resolve: (r: LoadedFile) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(threads: number, databaseFile: string, limits: ImportLimits, workerPath = decodeWorkerPath) {
    this.workers = Array.from({ length: threads }, () => {
      const slot = { worker: new Worker(workerPath, { workerData: { databaseFile, limits } }), waiting: 0 };
      slot.worker.on('message', (reply: DecodeReply) => {
        slot.waiting--;
        const pending = this.replies.get(reply.id);
        this.replies.delete(reply.id);
        if (!pending) return;
        if ('duplicate' in reply) pending.resolve({ duplicate: reply.duplicate });
        else if ('decoded' in reply) pending.resolve({ decoded: asBuffers(reply.decoded) });
        else if ('rejected' in reply) pending.reject(new ItemRejected(reply.rejected));
        else pending.reject(new Error(reply.error));
      });
      slot.worker.on('error', (error) => {
        this.broken ??= new DecodeThreadFailed(`a decoding thread failed (${error.message}); decoding on the main thread`);
        for (const pending of this.replies.values()) pending.reject(this.broken);
        this.replies.clear();
      });
      return slot;
    });
  }

  load(file: string): Promise<LoadedFile> {
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.workers.reduce((a, b) => (b.waiting < a.waiting ? b : a));
    const id = this.nextId++;
    slot.waiting++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      slot.worker.postMessage({ id, file });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/** Buffers arrive from a thread as plain Uint8Arrays. */
function asBuffers(decoded: DecodedImage): DecodedImage {
  const buffer = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  return { ...decoded, stored: buffer(decoded.stored), thumbnail: decoded.thumbnail && { ...decoded.thumbnail, data: buffer(decoded.thumbnail.data) } };
}
