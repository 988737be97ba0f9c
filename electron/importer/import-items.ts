import { readFile, stat } from 'node:fs/promises';
import type { Store } from '../store/store.js';
import { decodeImage, ItemRejected, sha256, type DecodedImage } from './decode.js';
import type { LabelRecord } from './labels.js';
import type { ImageFile } from './scan.js';

/** An image of this import, decoded and ready to store. */
export interface ReadyImage {
  decoded: DecodedImage;
  originalPath: string | null;
  originalName: string;
  labels: LabelRecord | null;
  /** Its place in scan order: ids follow it. */
  order: number;
}

/** What loading an item gives: a decoded image, or the id of the stored image it duplicates. */
export type LoadedItem = { decoded: DecodedImage; originalPath: string | null; labels: LabelRecord | null } | { duplicate: number; labels: LabelRecord | null };

/** One thing to import (an image file or one IDX digit), loaded in parallel with the others. Throws ItemRejected for a bad item. */
export interface ImportItem {
  name: string;
  load: () => Promise<LoadedItem>;
}

export interface ImportLimits {
  maxPixels: number;
  maxBytes: number;
}

/**
 * The stored image with this content hash, if any. Duplicates of stored images are found as
 * soon as an item is hashed; duplicates within this import are resolved in scan order when
 * results are collected (import-images.ts).
 */
export function storedDuplicate(store: Store, hash: string): number | null {
  return store.images.idByHash(hash) ?? null;
}

/** One item per image file found by the scan: size checks, hash, duplicate check, then a full decode. */
export function imageFileItems(
  files: ImageFile[],
  store: Store,
  limits: ImportLimits,
  labelsFor: (relative: string, file: string) => LabelRecord | null,
): ImportItem[] {
  return files.map(({ file, relative }) => ({
    name: relative,
    load: async () => {
      const bytes = await readImageFile(file, limits);
      const hash = sha256(bytes);
      const labels = labelsFor(relative, file);
      const duplicate = storedDuplicate(store, hash);
      if (duplicate !== null) return { duplicate, labels };
      return { decoded: await decodeImage(bytes, { maxPixels: limits.maxPixels }, hash), originalPath: file, labels };
    },
  }));
}

/** The file's bytes, after the size checks; a file that cannot be read (EACCES, gone, a folder) is rejected by name with why. */
async function readImageFile(file: string, limits: ImportLimits): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new ItemRejected('not a regular file');
    if (info.size === 0) throw new ItemRejected('empty file (0 bytes)');
    if (info.size > limits.maxBytes) throw new ItemRejected(`file is ${info.size} bytes, over the limit of ${limits.maxBytes}`);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ItemRejected) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new ItemRejected(`cannot read this file (${e.code ? `${e.code}: ` : ''}${e.message.replace(/^\w+: /, '').split(',')[0]})`);
  }
  if (bytes.length === 0) throw new ItemRejected('empty file (0 bytes)');
  return bytes;
}
