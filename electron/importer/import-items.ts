import type { Store } from '../store/store.js';
import type { DecodedImage } from './decode.js';
import { DecodeThreadFailed, type DecodePool } from './decode-pool.js';
import { loadImageFile, type ImportLimits } from './load-image-file.js';
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

/**
 * The stored image with this content hash, if any. Duplicates of stored images are found as
 * soon as an item is hashed; duplicates within this import are resolved in scan order when
 * results are collected (import-images.ts).
 */
export function storedDuplicate(store: Store, hash: string): number | null {
  return store.images.idByHash(hash) ?? null;
}

/**
 * One item per image file found by the scan: size checks, hash, duplicate check, then a full
 * decode (loadImageFile), in a decoding thread of `pool` when there is one.
 */
export function imageFileItems(
  files: ImageFile[],
  store: Store,
  limits: ImportLimits,
  labelsFor: (relative: string, file: string) => LabelRecord | null,
  pool: DecodePool | null = null,
  /** What the image records as its original path (an upload's file records its place in the upload). */
  originalPathOf: (file: string) => string = (file) => file,
): ImportItem[] {
  return files.map(({ file, relative }) => ({
    name: relative,
    load: async () => {
      const onMainThread = () => loadImageFile(file, limits, (hash) => storedDuplicate(store, hash));
      const loaded = pool
        ? await pool.load(file).catch((error: unknown) => {
            if (error instanceof DecodeThreadFailed) return onMainThread();
            throw error;
          })
        : await onMainThread();
      const labels = labelsFor(relative, file);
      if ('duplicate' in loaded) return { duplicate: loaded.duplicate, labels };
      return { decoded: loaded.decoded, originalPath: originalPathOf(file), labels };
    },
  }));
}

export type { ImportLimits };
