import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { decodeImage, ItemRejected, sha256, type DecodedImage } from './decode.js';

export interface ImportLimits {
  maxPixels: number;
  maxBytes: number;
}

/** An image file loaded: decoded, or the id of the stored image with the same content. */
export type LoadedFile = { decoded: DecodedImage } | { duplicate: number };

/**
 * Reads, hashes and decodes one image file: size checks, the content hash, the duplicate
 * check (a stored image with that hash is not decoded again), then a full decode. Throws
 * ItemRejected, with the reason, for a file that is bad or cannot be read. Runs on the main
 * thread or in a decoding thread (decode-worker.ts) alike.
 */
export async function loadImageFile(
  file: string,
  limits: ImportLimits,
  storedId: (hash: string) => number | null,
  read: 'async' | 'sync' = 'async',
): Promise<LoadedFile> {
  const bytes = await readImageFile(file, limits, read);
  const hash = sha256(bytes);
  const duplicate = storedId(hash);
  if (duplicate !== null) return { duplicate };
  return { decoded: await decodeImage(bytes, { maxPixels: limits.maxPixels }, hash) };
}

/**
 * The file's bytes, after the size checks; a file that cannot be read (EACCES, gone, a folder)
 * is rejected by name with why. A decoding thread reads synchronously (it blocks only itself,
 * and the five thread-pool round trips of an async stat and read cost more than the read).
 */
async function readImageFile(file: string, limits: ImportLimits, read: 'async' | 'sync'): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const info = read === 'sync' ? statSync(file) : await stat(file);
    if (!info.isFile()) throw new ItemRejected('not a regular file');
    if (info.size === 0) throw new ItemRejected('empty file (0 bytes)');
    if (info.size > limits.maxBytes) throw new ItemRejected(`file is ${info.size} bytes, over the limit of ${limits.maxBytes}`);
    bytes = read === 'sync' ? readFileSync(file) : await readFile(file);
  } catch (error) {
    if (error instanceof ItemRejected) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new ItemRejected(`cannot read this file (${e.code ? `${e.code}: ` : ''}${e.message.replace(/^\w+: /, '').split(',')[0]})`);
  }
  if (bytes.length === 0) throw new ItemRejected('empty file (0 bytes)');
  return bytes;
}
