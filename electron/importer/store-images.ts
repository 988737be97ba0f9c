import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';
import type { DecodedImage } from './decode.js';
import type { ReadyImage } from './import-items.js';
import type { LabelRecord } from './labels.js';

export interface StoreImagesContext {
  store: Store;
  /** Where stored copies go (images/xx/hash.ext under it). */
  dataDir: string;
  batchId: number;
  summary: ImportSummary;
  /** Writes an image's labels; called inside the transaction that inserts the image. */
  applyLabels: (imageId: number, labels: LabelRecord, now: string) => void;
}

/**
 * Writes the stored copies of a batch of images, then inserts their rows in one transaction,
 * each image with its labels: an interrupted import keeps every batch it wrote.
 */
export async function storeImages(ctx: StoreImagesContext, batch: ReadyImage[]): Promise<void> {
  const { store, summary } = ctx;
  await Promise.all(
    batch.map(async (p) => {
      const file = path.join(ctx.dataDir, storedPath(p.decoded));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, p.decoded.stored);
    }),
  );
  const now = new Date().toISOString();
  store.write(() => {
    for (const p of batch) {
      const imageId = store.images.insert({
        sha256: p.decoded.sha256,
        storedPath: storedPath(p.decoded),
        originalPath: p.originalPath,
        originalName: p.originalName,
        format: p.decoded.format,
        width: p.decoded.width,
        height: p.decoded.height,
        channels: p.decoded.channels,
        byteSize: p.decoded.stored.length,
        thumbnail: p.decoded.thumbnail,
        batchId: ctx.batchId,
        importedAt: now,
      });
      summary.imported++;
      if (p.labels) ctx.applyLabels(imageId, p.labels, now);
    }
  });
}

function storedPath(decoded: DecodedImage): string {
  return `images/${decoded.sha256.slice(0, 2)}/${decoded.sha256}.${decoded.storedExt}`;
}
