import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportRejection, ImportSummary } from '../../shared/imports.js';
import type { LabelInput, TargetDef } from '../../shared/targets.js';
import { DomainError } from '../../shared/errors.js';
import { writeLabel } from '../domain/labeling.js';
import type { Store } from '../store/store.js';
import { decodeImage, encodeGray, ItemRejected, sha256, type DecodedImage } from './decode.js';
import { readIdxImages, readIdxLabels } from './idx.js';
import { emptyLabelTable, readLabelFile, type CellValue, type LabelRecord } from './labels.js';
import { scanPaths } from './scan.js';

export const DEFAULT_MAX_PIXELS = 4096 * 4096;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const FLUSH_EVERY = 256;

export interface ImportOptions {
  paths: string[];
  maxPixels?: number;
  maxBytes?: number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportContext {
  store: Store;
  /** Where stored copies go (images/xx/hash.ext under it). */
  dataDir: string;
}

interface Pending {
  decoded: DecodedImage;
  originalPath: string | null;
  originalName: string;
  labels: LabelRecord | null;
}

interface Item {
  name: string;
  load: () => Promise<{ decoded: DecodedImage; originalPath: string | null; labels: LabelRecord | null } | { duplicate: number; labels: LabelRecord | null }>;
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
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const summary: ImportSummary = {
    imported: 0,
    duplicates: 0,
    rejected: [],
    ignored: [],
    labelsApplied: 0,
    labelProblems: [],
    createdClasses: [],
    elapsedMs: 0,
  };
  const scan = await scanPaths(options.paths);
  summary.rejected.push(...scan.missing);
  summary.ignored.push(...scan.ignored);

  const table = emptyLabelTable();
  for (const file of scan.labelFiles) await readLabelFile(file, table);
  summary.labelProblems.push(...table.problems);
  const usedKeys = new Set<string>();
  const labelsFor = (relative: string): LabelRecord | null => {
    for (const key of [relative, path.posix.basename(relative)]) {
      const record = table.records.get(key);
      if (record) {
        usedKeys.add(key);
        return record;
      }
    }
    return null;
  };

  // Duplicates of stored images are found as soon as a file is hashed; duplicates within
  // this import are resolved in scan order (the first file wins) when results are collected.
  const seen = new Set<string>();
  const duplicateOf = (hash: string): number | null => store.images.idByHash(hash) ?? null;

  const items: Item[] = scan.images.map(({ file, relative }) => ({
    name: relative,
    load: async () => {
      const info = await stat(file);
      if (info.size === 0) throw new ItemRejected('empty file (0 bytes)');
      if (info.size > maxBytes) throw new ItemRejected(`file is ${info.size} bytes, over the limit of ${maxBytes}`);
      const bytes = await readFile(file);
      const hash = sha256(bytes);
      const labels = labelsFor(relative);
      const duplicate = duplicateOf(hash);
      if (duplicate !== null) return { duplicate, labels };
      return { decoded: await decodeImage(bytes, { maxPixels }, hash), originalPath: file, labels };
    },
  }));

  for (const pair of scan.idx) {
    const base = path.basename(pair.images);
    let images;
    let labels: Uint8Array | null = null;
    try {
      images = await readIdxImages(pair.images);
      if (pair.labels) labels = await readIdxLabels(pair.labels);
      if (labels && labels.length !== images.count) {
        throw new Error(`${path.basename(pair.labels!)} has ${labels.length} labels for ${images.count} images`);
      }
    } catch (error) {
      summary.rejected.push({ item: base, reason: (error as Error).message });
      continue;
    }
    const { rows, cols, pixels } = images;
    for (let i = 0; i < images.count; i++) {
      const name = `${base}#${String(i).padStart(5, '0')}`;
      const digit = labels ? String(labels[i]) : null;
      const record: LabelRecord | null = digit === null ? null : { origin: name, values: new Map([['digits', digit]]) };
      items.push({
        name,
        load: async () => {
          const decoded = await encodeGray(pixels.subarray(i * rows * cols, (i + 1) * rows * cols), cols, rows);
          const duplicate = duplicateOf(decoded.sha256);
          if (duplicate !== null) return { duplicate, labels: record };
          return { decoded, originalPath: null, labels: record };
        },
      });
    }
  }

  const batchId = store.startBatch(options.paths);
  const total = items.length;
  let done = 0;
  let pending: Pending[] = [];
  const duplicateLabels: { imageId: number | string; labels: LabelRecord }[] = [];
  const unknownColumns = new Set<string>();
  const classesBefore = new Set(store.targets.list().flatMap((t) => t.classes.map((c) => `${t.name}:${c.name}`)));

  const flush = async () => {
    const batch = pending;
    pending = [];
    await Promise.all(
      batch.map(async (p) => {
        const file = path.join(dataDir, storedPath(p.decoded));
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
          batchId,
          importedAt: now,
        });
        summary.imported++;
        if (p.labels) applyLabels(imageId, p.labels, false, now);
      }
    });
  };

  const applyLabels = (imageId: number, record: LabelRecord, onlyPending: boolean, now: string) => {
    const targets = store.targets;
    const explicitLength = record.values.get('length');
    for (const [column, cell] of record.values) {
      const target = targets.byName(column);
      if (!target) {
        unknownColumns.add(column);
        continue;
      }
      if (onlyPending && store.annotations.one(imageId, target.id, 'human')) continue;
      if (target.kind === 'length' && record.values.has(sourceName(targets.list(), target))) continue; // written with its sequence
      try {
        writeLabel(store, imageId, target, toLabel(cell), { source: 'human', createClasses: true, path: column, now });
        summary.labelsApplied++;
        if (target.kind === 'sequence' && cell !== null) {
          const lengthTarget = targets.lengthOf(target.id);
          if (lengthTarget && explicitLength !== undefined) {
            const derived = store.annotations.one(imageId, lengthTarget.id, 'human')?.class_name ?? null;
            if (explicitLength !== derived) {
              summary.labelProblems.push({
                item: record.origin,
                reason: `length '${explicitLength ?? 'unknown'}' disagrees with ${column} '${cell}'; kept the length of the ${column} (${derived})`,
              });
            }
          }
        } else if (target.kind === 'sequence' && explicitLength !== undefined) {
          const lengthTarget = targets.lengthOf(target.id);
          if (lengthTarget) writeLabel(store, imageId, lengthTarget, toLabel(explicitLength), { source: 'human', path: 'length', now });
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        summary.labelProblems.push({ item: record.origin, reason: error.message });
      }
    }
  };

  // Results land in scan order (ids follow file order whatever finishes first): a slot per
  // item, flushed as a contiguous prefix once enough are ready.
  const slots: (Pending | null | undefined)[] = new Array(items.length);
  let nextSlot = 0;
  let flushing: Promise<void> = Promise.resolve();
  const collectReady = (force: boolean) => {
    const start = nextSlot;
    while (nextSlot < slots.length && slots[nextSlot] !== undefined) nextSlot++;
    for (let i = start; i < nextSlot; i++) {
      const ready = slots[i];
      slots[i] = null;
      if (!ready) continue;
      if (seen.has(ready.decoded.sha256)) {
        summary.duplicates++;
        if (ready.labels) duplicateLabels.push({ imageId: ready.decoded.sha256, labels: ready.labels });
        continue;
      }
      seen.add(ready.decoded.sha256);
      pending.push(ready);
    }
    if (pending.length > 0 && (force || pending.length >= FLUSH_EVERY)) flushing = flushing.then(flush);
    return flushing;
  };

  let cursor = 0;
  const worker = async () => {
    while (cursor < items.length) {
      const index = cursor++;
      const item = items[index]!;
      let ready: Pending | null = null;
      try {
        const result = await item.load();
        if ('duplicate' in result) {
          summary.duplicates++;
          if (result.labels) duplicateLabels.push({ imageId: result.duplicate, labels: result.labels });
        } else {
          ready = { decoded: result.decoded, originalPath: result.originalPath, originalName: item.name, labels: result.labels };
        }
      } catch (error) {
        if (!(error instanceof ItemRejected)) throw error;
        summary.rejected.push({ item: item.name, reason: error.message });
      }
      slots[index] = ready;
      done++;
      options.onProgress?.(done, total);
      await collectReady(false);
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    await collectReady(true);
    if (duplicateLabels.length > 0) {
      const now = new Date().toISOString();
      store.write(() => {
        for (const d of duplicateLabels) {
          const imageId = typeof d.imageId === 'number' ? d.imageId : store.images.idByHash(d.imageId);
          if (imageId !== undefined) applyLabels(imageId, d.labels, true, now);
        }
      });
    }
  } finally {
    for (const column of unknownColumns) {
      summary.labelProblems.push({ item: `column '${column}'`, reason: `no target named '${column}' in this project; the column was ignored` });
    }
    const unmatched = [...table.records.keys()].filter((k) => !usedKeys.has(k));
    if (unmatched.length > 0 && scan.labelFiles.length > 0) {
      const sample = unmatched.slice(0, 5).join(', ');
      summary.labelProblems.push({
        item: scan.labelFiles.map((f) => path.basename(f)).join(', '),
        reason: `${unmatched.length} labelled file name(s) matched no image of this import (${sample}${unmatched.length > 5 ? ', …' : ''})`,
      });
    }
    summary.createdClasses = store.targets
      .list()
      .flatMap((t) => t.classes.map((c) => `${t.name}:${c.name}`))
      .filter((c) => !classesBefore.has(c));
    summary.elapsedMs = Math.round(performance.now() - started);
    store.finishBatch(batchId, {
      imported: summary.imported,
      duplicates: summary.duplicates,
      rejected: summary.rejected.length,
      report: summary,
    });
  }
  return summary;
}

function storedPath(decoded: DecodedImage): string {
  return `images/${decoded.sha256.slice(0, 2)}/${decoded.sha256}.${decoded.storedExt}`;
}

function toLabel(cell: CellValue): LabelInput {
  return cell === null ? { kind: 'unknown' } : { kind: 'value', value: cell };
}

function sourceName(targets: TargetDef[], lengthTarget: TargetDef): string {
  return targets.find((t) => t.id === lengthTarget.sourceTargetId)?.name ?? '';
}

export type { ImportRejection };
