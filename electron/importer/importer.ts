import { availableParallelism } from 'node:os';
import type { ImportRejection, ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';
import { ImportLabels } from './apply-labels.js';
import { DecodePool, decodeThreadsAvailable } from './decode-pool.js';
import { FolderLabels, type FolderLabelRule } from './folder-labels.js';
import { idxItems } from './import-idx.js';
import { importImages } from './import-images.js';
import { imageFileItems } from './import-items.js';
import { cleanUpAfterKilledImports, importOwner } from './leftovers.js';
import { scanPaths } from './scan.js';
import type { FileWriter } from './store-images.js';
import { StoredFileWriter } from './stored-files.js';
import { classKeys, emptySummary, finishSummary } from './summary.js';
import { takeTranscripts, Transcripts, type TranscriptOptions } from './transcripts.js';
import { recordedPath, recordSummaryOfUpload } from './upload-paths.js';

export const DEFAULT_MAX_PIXELS = 4096 * 4096;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Below this many image files, decoding threads cost more to start than they save. */
const DECODE_THREADS_FROM = 200;

export interface ImportOptions {
  paths: string[];
  maxPixels?: number;
  maxBytes?: number;
  /** Items loaded at once; by default enough to keep every core decoding (sharp decodes on libuv's thread pool). */
  concurrency?: number;
  /** OCR line transcripts (NAME.gt.txt) label this sequence target (transcripts.ts). */
  transcripts?: TranscriptOptions;
  /** Categorical targets labeled by the name of each image's folder (folder-labels.ts). */
  labelFromFolder?: FolderLabelRule[];
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads that read and decode image files beside the main thread (0: on the main thread).
   * By default one per core for an import of at least DECODE_THREADS_FROM files.
   */
  decodeThreads?: number;
  /** Cancels the import: no new item is taken, what was loaded is stored, and the summary says it was cancelled. */
  signal?: AbortSignal;
  /**
   * The paths are files and folders of a browser upload stored in this folder (server mode).
   * It is removed after the import, so the images and the batch record where each file was in
   * the upload (`upload:crops/a.png`, upload-paths.ts), never the temporary copy.
   */
  uploadDir?: string;
}

export interface ImportContext {
  store: Store;
  /** Where stored copies go (images/xx/hash.ext under it). */
  dataDir: string;
  /** Writes the stored copies; by default a StoredFileWriter of this import (tests put a failing disk here). */
  writer?: FileWriter;
  /** Who imports: recorded with the batch and the labels it writes. */
  author?: string;
}

/**
 * Imports images from folders, files and IDX pairs, with labels from CSV/JSONL files.
 * Every bad item is reported by name with a reason and the rest goes on; images already
 * stored (same content hash) are counted as duplicates. Writes go in transactions of a
 * few hundred images, each with its labels, so an interrupted import keeps what it wrote.
 */
export async function runImport(ctx: ImportContext, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const { store, dataDir } = ctx;
  await cleanUpAfterKilledImports(store, dataDir);
  const summary = emptySummary();
  const scan = await scanPaths(options.paths);
  summary.rejected.push(...scan.missing);
  summary.ignored.push(...scan.ignored);
  const labels = await ImportLabels.read(scan.labelFiles, store, summary, ctx.author ?? null);
  const transcripts = await Transcripts.read(takeTranscripts(summary.ignored), scan.images, options.transcripts, store, summary);
  labels.claim(scan.images.map((i) => i.relative));
  const folders = FolderLabels.prepare(
    store,
    options.labelFromFolder,
    summary,
    scan.images.map((i) => i.relative),
  );

  const limits = { maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES };
  const digitItems = await idxItems(scan.idx, store, summary);
  const recorded = recordedPath(options.uploadDir);
  const threads = options.decodeThreads ?? (scan.images.length >= DECODE_THREADS_FROM ? Math.min(4, availableParallelism()) : 0);
  const pool = threads > 0 && decodeThreadsAvailable() ? new DecodePool(threads, store.file, limits) : null;
  const fileItems = imageFileItems(
    scan.images,
    store,
    limits,
    (relative, file) => folders.withFolders(relative, transcripts.withTranscript(file, labels.labelsFor(relative))),
    pool,
    recorded,
  );
  const items = fileItems.concat(digitItems);

  const batchId = store.startBatch(options.paths.map(recorded), importOwner(), ctx.author ?? null);
  const classesBefore = new Set(classKeys(store));
  const ownWriter = ctx.writer ? null : new StoredFileWriter();
  try {
    const { duplicateLabels, stopped } = await importImages(items, {
      store,
      dataDir,
      batchId,
      summary,
      writer: ctx.writer ?? ownWriter!,
      concurrency: options.concurrency ?? Math.max(4, 2 * availableParallelism()),
      onProgress: options.onProgress,
      signal: options.signal,
      applyLabels: (imageId, record, now) => labels.apply(imageId, record, false, now),
    });
    summary.stopped = stopped;
    labels.applyToDuplicates(duplicateLabels);
    labels.applyToStored();
  } finally {
    await Promise.all([ownWriter?.close(), pool?.close()]);
    labels.reportProblems(dataDir);
    folders.report();
    if (options.uploadDir !== undefined) recordSummaryOfUpload(summary, options.uploadDir);
    finishSummary(store, batchId, summary, classesBefore, started);
  }
  return summary;
}

export type { ImportRejection };
