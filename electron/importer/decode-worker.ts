/**
 * A decoding thread of an import (decode-pool.ts): reads, hashes, checks for a stored
 * duplicate (its own read-only connection) and decodes image files, so that the main thread
 * only writes rows. sharp's per-call work in JavaScript (its options, its callbacks) and the
 * file reads cost the main thread more than the database did; here they run beside it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Store } from '../store/store.js';
import { ItemRejected } from './decode.js';
import { loadImageFile, type ImportLimits } from './load-image-file.js';

export interface DecodeRequest {
  id: number;
  file: string;
}

export type DecodeReply =
  | { id: number; duplicate: number }
  | { id: number; decoded: import('./decode.js').DecodedImage }
  | { id: number; rejected: string }
  | { id: number; error: string };

const { databaseFile, limits } = workerData as { databaseFile: string; limits: ImportLimits };
const store = Store.open(databaseFile, { readonly: true });

/** A buffer of its own (not a slice of a shared pool), so that it can be moved to the main thread without a copy there. */
function own(buffer: Buffer): Buffer {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer;
  return Buffer.from(buffer);
}

parentPort!.on('message', ({ id, file }: DecodeRequest) => {
  loadImageFile(file, limits, (hash) => store.images.idByHash(hash) ?? null, 'sync').then(
    (loaded) => {
      if ('duplicate' in loaded) return parentPort!.postMessage({ id, duplicate: loaded.duplicate } satisfies DecodeReply);
      const decoded = { ...loaded.decoded, stored: own(loaded.decoded.stored) };
      if (decoded.thumbnail) decoded.thumbnail = { ...decoded.thumbnail, data: own(decoded.thumbnail.data) };
      const transfer = [decoded.stored.buffer as ArrayBuffer];
      if (decoded.thumbnail && decoded.thumbnail.data.buffer !== decoded.stored.buffer) transfer.push(decoded.thumbnail.data.buffer as ArrayBuffer);
      parentPort!.postMessage({ id, decoded } satisfies DecodeReply, transfer);
    },
    (error: unknown) => {
      if (error instanceof ItemRejected) parentPort!.postMessage({ id, rejected: error.message } satisfies DecodeReply);
      else parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies DecodeReply);
    },
  );
});
