import { ItemRejected } from './decode.js';
import type { ImportItem, ReadyImage } from './import-items.js';
import type { LabelRecord } from './labels.js';
import { storeImages, type StoreImagesContext } from './store-images.js';

/** Images stored in one transaction: a few hundred, so an interrupted import keeps what it wrote. */
const FLUSH_EVERY = 256;

export interface ImportImagesContext extends StoreImagesContext {
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Labels of a duplicate, applied once every image is stored: to the stored image it
 * duplicates (its id) or to the earlier image of this import (its content hash).
 */
export interface DuplicateLabels {
  imageId: number | string;
  labels: LabelRecord;
}

/**
 * Loads (decodes) the items in parallel and stores them in batches, in scan order. A bad item
 * is rejected by name and the rest goes on; duplicates are counted, not stored. Returns the
 * labels of duplicates, for the caller to apply.
 */
export async function importImages(items: ImportItem[], ctx: ImportImagesContext): Promise<DuplicateLabels[]> {
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
  private flushing: Promise<void> = Promise.resolve();
  /** Content hashes collected so far: duplicates within this import resolve in scan order, the first file wins. */
  private readonly seen = new Set<string>();
  private readonly duplicateLabels: DuplicateLabels[] = [];

  constructor(
    private readonly items: ImportItem[],
    private readonly ctx: ImportImagesContext,
  ) {
    this.slots = new Array(items.length);
  }

  async run(): Promise<DuplicateLabels[]> {
    await Promise.all(Array.from({ length: this.ctx.concurrency }, () => this.worker()));
    await this.collectReady(true);
    return this.duplicateLabels;
  }

  private async worker(): Promise<void> {
    while (this.cursor < this.items.length) {
      const index = this.cursor++;
      this.slots[index] = await this.load(this.items[index]!);
      this.done++;
      this.ctx.onProgress?.(this.done, this.items.length);
      await this.collectReady(false);
    }
  }

  /** The item decoded, or null when it was rejected or duplicates a stored image. */
  private async load(item: ImportItem): Promise<ReadyImage | null> {
    try {
      const result = await item.load();
      if ('duplicate' in result) {
        this.duplicate(result.duplicate, result.labels);
        return null;
      }
      return { decoded: result.decoded, originalPath: result.originalPath, originalName: item.name, labels: result.labels };
    } catch (error) {
      if (!(error instanceof ItemRejected)) throw error;
      this.ctx.summary.rejected.push({ item: item.name, reason: error.message });
      return null;
    }
  }

  private duplicate(imageId: number | string, labels: LabelRecord | null): void {
    this.ctx.summary.duplicates++;
    if (labels) this.duplicateLabels.push({ imageId, labels });
  }

  /** Moves the ready prefix of the slots to the pending batch and flushes it when it is big enough (or `force`). */
  private collectReady(force: boolean): Promise<void> {
    const start = this.nextSlot;
    while (this.nextSlot < this.slots.length && this.slots[this.nextSlot] !== undefined) this.nextSlot++;
    for (let i = start; i < this.nextSlot; i++) {
      const ready = this.slots[i];
      this.slots[i] = null;
      if (!ready) continue;
      if (this.seen.has(ready.decoded.sha256)) {
        this.duplicate(ready.decoded.sha256, ready.labels);
        continue;
      }
      this.seen.add(ready.decoded.sha256);
      this.pending.push(ready);
    }
    if (this.pending.length > 0 && (force || this.pending.length >= FLUSH_EVERY)) this.flushing = this.flushing.then(() => this.flush());
    return this.flushing;
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    return storeImages(this.ctx, batch);
  }
}
