import { IMPORT_LIST_LIMIT, type ImportDuplicate } from '../../shared/imports.js';
import { ItemRejected } from './decode.js';
import type { ImportItem, ReadyImage } from './import-items.js';
import type { LabelRecord } from './labels.js';
import { ImportStopped, storeImages, type StoreImagesContext } from './store-images.js';

/**
 * Images stored in one transaction: large enough that each commit (its fsyncs, its index
 * pages) is shared by many images, small enough that an interrupted import keeps most of what
 * it did. A batch also closes once it holds this many bytes of image data.
 */
const FLUSH_EVERY = 1024;
const FLUSH_BYTES = 64 * 1024 * 1024;

export interface ImportImagesContext extends Omit<StoreImagesContext, 'onDuplicate'> {
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
  /** Aborting stops taking new items; what was loaded is stored, then the import ends. */
  signal?: AbortSignal;
}

/**
 * Labels of a duplicate, applied once every image is stored: to the stored image it
 * duplicates (its id) or to the earlier image of this import (its content hash).
 */
export interface DuplicateLabels {
  imageId: number | string;
  labels: LabelRecord;
}

export interface ImportImagesResult {
  duplicateLabels: DuplicateLabels[];
  /** Why it ended early (cancelled, disk full); null when every item was looked at. */
  stopped: string | null;
}

/**
 * Loads (decodes) the items in parallel and stores them in batches, in scan order, decoding
 * the next batch while the last one is written and committed. A bad item is rejected by name
 * and the rest goes on; duplicates are counted and listed, not stored.
 */
export async function importImages(items: ImportItem[], ctx: ImportImagesContext): Promise<ImportImagesResult> {
  return new ImagePipeline(items, ctx).run();
}

class ImagePipeline {
  // Results land in scan order (ids follow file order whatever finishes first): a slot per
  // item, flushed as a contiguous prefix once enough are ready.
  private readonly slots: (ReadyImage | null | undefined)[];
  private nextSlot = 0;
  private cursor = 0;
  private done = 0;
  private pending: ReadyImage[] = [];
  private pendingBytes = 0;
  /** Images handed to flushes that have not finished: decoding waits when this is two batches ahead. */
  private inFlight = 0;
  private flushing: Promise<void> = Promise.resolve();
  private failure: ImportStopped | null = null;
  /** Content hash → the item that brought it first: duplicates within this import resolve in scan order. */
  private readonly seen = new Map<string, string>();
  private readonly duplicateLabels: DuplicateLabels[] = [];
  private readonly storeCtx: StoreImagesContext;

  constructor(
    private readonly items: ImportItem[],
    private readonly ctx: ImportImagesContext,
  ) {
    this.slots = new Array(items.length);
    this.storeCtx = { ...ctx, onDuplicate: (image, of) => this.duplicate(image.originalName, of.id, of.name, image.labels) };
  }

  async run(): Promise<ImportImagesResult> {
    await Promise.all(Array.from({ length: this.ctx.concurrency }, () => this.worker()));
    this.collectReady(true);
    await this.flushing;
    this.resolveDuplicateIds();
    return { duplicateLabels: this.duplicateLabels, stopped: this.stopReason() };
  }

  private stopped(): boolean {
    return this.failure !== null || (this.ctx.signal?.aborted ?? false);
  }

  private stopReason(): string | null {
    const left = this.items.length - this.done;
    if (this.failure) return `${this.failure.message}; ${left} item(s) were not looked at`;
    if (this.ctx.signal?.aborted && left > 0) return `cancelled after ${this.done} of ${this.items.length} items; what was loaded is kept`;
    return null;
  }

  private async worker(): Promise<void> {
    while (this.cursor < this.items.length && !this.stopped()) {
      // Back-pressure: never more than two batches decoded ahead of the disk.
      while (this.inFlight + this.pending.length >= 2 * FLUSH_EVERY && !this.stopped()) await this.flushing;
      if (this.stopped() || this.cursor >= this.items.length) break; // others took the last items while this one waited
      const index = this.cursor++;
      this.slots[index] = await this.load(this.items[index]!, index);
      this.done++;
      this.ctx.onProgress?.(this.done, this.items.length);
      this.collectReady(false);
    }
  }

  /** The item decoded, or null when it was rejected or duplicates a stored image. */
  private async load(item: ImportItem, order: number): Promise<ReadyImage | null> {
    try {
      const result = await item.load();
      if ('duplicate' in result) {
        this.duplicate(item.name, result.duplicate, null, result.labels);
        return null;
      }
      return { decoded: result.decoded, originalPath: result.originalPath, originalName: item.name, labels: result.labels, order };
    } catch (error) {
      if (!(error instanceof ItemRejected)) throw error;
      this.ctx.summary.rejected.push({ item: item.name, reason: error.message });
      return null;
    }
  }

  /** Counts a duplicate, lists it with the image it duplicates (by id, or by the content hash of an earlier item of this import). */
  private duplicate(item: string, of: number | string, ofName: string | null, labels: LabelRecord | null): void {
    const { summary, store } = this.ctx;
    summary.duplicates++;
    if (labels) this.duplicateLabels.push({ imageId: of, labels });
    if (summary.duplicateItems.length >= IMPORT_LIST_LIMIT) return; // the summary keeps the first ones; no lookups for the rest
    const listed: ImportDuplicate & { hash?: string } =
      typeof of === 'number'
        ? { item, of: ofName ?? store.images.get(of)?.original_name ?? `image ${of}`, imageId: of }
        : { item, of: this.seen.get(of) ?? of, imageId: null, hash: of };
    summary.duplicateItems.push(listed);
  }

  /** Duplicates of earlier items of this import get the id their image was stored under. */
  private resolveDuplicateIds(): void {
    for (const d of this.ctx.summary.duplicateItems as (ImportDuplicate & { hash?: string })[]) {
      if (d.hash === undefined) continue;
      d.imageId = this.ctx.store.images.idByHash(d.hash) ?? null;
      delete d.hash;
    }
  }

  /** Moves the ready prefix of the slots to the pending batch and starts a flush when it is big enough (or `force`). */
  private collectReady(force: boolean): void {
    const start = this.nextSlot;
    while (this.nextSlot < this.slots.length && this.slots[this.nextSlot] !== undefined) this.nextSlot++;
    for (let i = start; i < this.nextSlot; i++) {
      const ready = this.slots[i];
      this.slots[i] = null;
      if (!ready) continue;
      const first = this.seen.get(ready.decoded.sha256);
      if (first !== undefined) {
        this.duplicate(ready.originalName, ready.decoded.sha256, first, ready.labels);
        continue;
      }
      this.seen.set(ready.decoded.sha256, ready.originalName);
      this.pending.push(ready);
      this.pendingBytes += ready.decoded.stored.length;
    }
    if (this.pending.length > 0 && (force || this.pending.length >= FLUSH_EVERY || this.pendingBytes >= FLUSH_BYTES)) this.flush();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight += batch.length;
    this.flushing = this.flushing.then(async () => {
      try {
        if (!this.failure) await storeImages(this.storeCtx, batch);
      } catch (error) {
        if (!(error instanceof ImportStopped)) throw error;
        this.failure = error;
      } finally {
        this.inFlight -= batch.length;
      }
    });
  }
}
