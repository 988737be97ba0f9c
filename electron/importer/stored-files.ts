import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** The suffix of a stored copy being written; a file with it is never referenced, and is removed at the next start if left. */
export const PARTIAL_SUFFIX = '.part';

/** Threads that write stored copies: their fsyncs wait for the disk, and overlap (a disk commits concurrent flushes together). */
const WRITER_THREADS = 8;

export interface FileToStore {
  file: string;
  bytes: Buffer;
}

/** What writing a stored copy did: wrote it, found it there already (the same content, stored by another import), or failed. */
export type WriteResult = { outcome: 'written' | 'existed' } | { outcome: 'failed'; code: string | null; message: string };

/**
 * The writer threads' code, plain CommonJS evaluated in the worker (no file to locate inside
 * an asar archive). Each copy goes to a temporary name, is flushed to disk (fdatasync), then
 * renamed into place, so a file under its final name is always whole; then the folders whose
 * entries changed are flushed, so the names are on disk too before a row names them. A stored
 * copy is named by its content hash: one already there with the right size is the same file.
 * Synchronous calls in threads of their own, not libuv's pool: waiting for the disk must not
 * hold up the decoding that runs on that pool.
 */
const WRITER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
parentPort.on('message', ({ id, files, suffix }) => {
  const results = [];
  const folders = new Set();
  for (const { file, bytes } of files) {
    try {
      const existing = fs.statSync(file, { throwIfNoEntry: false });
      if (existing && existing.isFile() && existing.size === bytes.length) { results.push({ outcome: 'existed' }); continue; }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temporary = file + '.' + process.pid + '-' + crypto.randomBytes(4).toString('hex') + suffix;
      const fd = fs.openSync(temporary, 'w');
      try {
        fs.writeFileSync(fd, bytes);
        fs.fdatasyncSync(fd);
      } catch (error) {
        fs.closeSync(fd);
        fs.rmSync(temporary, { force: true });
        throw error;
      }
      fs.closeSync(fd);
      fs.renameSync(temporary, file);
      folders.add(path.dirname(file));
      results.push({ outcome: 'written' });
    } catch (error) {
      results.push({ outcome: 'failed', code: error.code || null, message: error.message });
    }
  }
  if (process.platform !== 'win32') {
    // Windows cannot open a folder to flush it; NTFS journals names.
    for (const folder of folders) {
      const fd = fs.openSync(folder, 'r');
      try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    }
  }
  parentPort.postMessage({ id, results });
});
`;

/** A small pool of writer threads for one import; close() ends them. */
export class StoredFileWriter {
  private readonly workers: Worker[];
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: WriteResult[]) => void; reject: (e: Error) => void }>();

  constructor(threads = WRITER_THREADS) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(WRITER_SOURCE, { eval: true });
      worker.on('message', ({ id, results }: { id: number; results: WriteResult[] }) => {
        this.waiting.get(id)?.resolve(results);
        this.waiting.delete(id);
      });
      worker.on('error', (error) => {
        for (const w of this.waiting.values()) w.reject(error);
        this.waiting.clear();
      });
      return worker;
    });
  }

  /** Writes the files durably, spread over the threads; one result per file, in order. */
  async write(files: FileToStore[]): Promise<WriteResult[]> {
    const share = Math.ceil(files.length / this.workers.length);
    const parts = this.workers.map((worker, k) => {
      const slice = files.slice(k * share, (k + 1) * share);
      if (slice.length === 0) return Promise.resolve([] as WriteResult[]);
      const id = this.nextId++;
      return new Promise<WriteResult[]>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        worker.postMessage({ id, files: slice, suffix: PARTIAL_SUFFIX });
      });
    });
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Removes stored copies this import wrote but whose rows did not commit (or will not). */
export async function removeFiles(files: Iterable<string>): Promise<void> {
  await Promise.all([...files].map((f) => rm(f, { force: true })));
}
