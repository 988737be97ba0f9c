import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';
import type { DecodedImage } from './decode.js';
import type { ReadyImage } from './import-items.js';
import type { LabelRecord } from './labels.js';
import { removeFiles, type FileToStore, type WriteResult } from './stored-files.js';

/** Writes stored copies durably (StoredFileWriter; tests put a failing disk in its place). */
export interface FileWriter {
  write(files: FileToStore[]): Promise<WriteResult[]>;
}

export interface StoreImagesContext {
  store: Store;
  /** Where stored copies go (images/xx/hash.ext under it). */
  dataDir: string;
  batchId: number;
  summary: ImportSummary;
  writer: FileWriter;
  /** Writes an image's labels; called inside the transaction that inserts the image. */
  applyLabels: (imageId: number, labels: LabelRecord, now: string) => void;
  /** An image whose content another import stored meanwhile (two jobs importing the same files): a duplicate of that image. */
  onDuplicate: (image: ReadyImage, of: { id: number; name: string }) => void;
}

/** The import cannot go on (disk full, a database error): what was whole is committed, nothing is left behind, the message names the file. */
export class ImportStopped extends Error {}

/**
 * Writes the stored copies of a batch (each flushed to disk before any row names it), then
 * inserts their rows in one transaction, each image with its labels. If a copy cannot be
 * written (a full disk), the images written before it are committed, the import stops naming
 * that file, and no file of the batch is left without a row.
 */
export async function storeImages(ctx: StoreImagesContext, batch: ReadyImage[]): Promise<void> {
  const { store, summary } = ctx;
  const files = batch.map((image) => ({ file: path.join(ctx.dataDir, storedPath(image.decoded)), bytes: image.decoded.stored }));
  const results = await ctx.writer.write(files);
  const written: string[] = [];
  const whole: ReadyImage[] = [];
  let failure: ImportStopped | null = null;
  results.forEach((result, i) => {
    if (result.outcome === 'failed') {
      const reason = result.code === 'ENOSPC' ? 'the disk is full' : `${result.code ?? 'error'}: ${result.message}`;
      failure ??= new ImportStopped(`stopped at ${batch[i]!.originalName}: its copy could not be written to ${files[i]!.file} (${reason})`);
      return;
    }
    if (result.outcome === 'written') written.push(files[i]!.file);
    whole.push(batch[i]!);
  });
  // Counted inside the transaction: put back if it rolls back.
  const before = { imported: summary.imported, duplicates: summary.duplicates, labelsApplied: summary.labelsApplied, listed: summary.duplicateItems.length };
  try {
    const now = new Date().toISOString();
    store.write(() => {
      for (const p of whole) {
        // Checked again inside the write lock: another job may have stored the same content meanwhile.
        const existing = store.images.idByHash(p.decoded.sha256);
        if (existing !== undefined) {
          ctx.onDuplicate(p, { id: existing, name: store.images.get(existing)!.original_name });
          continue;
        }
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
  } catch (error) {
    Object.assign(summary, { imported: before.imported, duplicates: before.duplicates, labelsApplied: before.labelsApplied });
    summary.duplicateItems.length = before.listed;
    // Nothing of this batch committed: its files must not stay without rows (unless another import's row names them).
    await removeFiles(written.filter((f) => store.images.idByHash(path.basename(f).split('.')[0]!) === undefined));
    throw new ImportStopped(
      `stopped while storing ${batch[0]!.originalName} … ${batch.at(-1)!.originalName}: ${describe(error)}; nothing of these ${batch.length} images was kept`,
    );
  }
  if (failure) throw failure;
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC' || e.code === 'SQLITE_FULL') return 'the disk is full';
  return e instanceof Error ? e.message : String(error);
}

function storedPath(decoded: DecodedImage): string {
  return `images/${decoded.sha256.slice(0, 2)}/${decoded.sha256}.${decoded.storedExt}`;
}
