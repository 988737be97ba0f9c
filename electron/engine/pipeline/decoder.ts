/**
 * Decodes a run's images into the pixel cache in the background, while training runs. The
 * resizing and colour conversion run in sharp's (libvips') own thread pool, off the training
 * thread; only a few bytes of statistics per image are computed here. At most `concurrency`
 * images are in flight at once — the bounded queue: a decoded image goes straight into the
 * cache (memory up to its budget, the rest on disk), so running ahead costs no memory.
 *
 * Order: images a caller waits for (`ensure`) first, then the order the trainer announced for
 * the epoch (`schedule`), then the remaining images of every split read so far (`ahead`:
 * validation). Training can therefore start as soon as its first batch is decoded. A split
 * nobody has asked for yet (the test split, read once training is over) is decoded when it is
 * asked for, not in the background of the second epoch, where it would take the cores the
 * training needs.
 *
 * An image that cannot be read (a missing, unreadable or corrupt file) does not stop the run:
 * it is skipped — counted, named with its file and the reason in `progress()`, and never tried
 * again in this job — and its examples are masked out of every batch (stream-data.ts).
 */
import type { DecodeProgress, SkippedImage } from '../../../shared/api/events.js';
import type { InputSpec } from '../../../shared/model-spec.js';
import { decodeRaw } from '../decode.js';
import type { PixelCache } from './pixel-cache.js';

export interface DecoderOptions {
  input: InputSpec;
  /** The image file of a slot, or an error naming the image (no stored file). */
  fileOf: (slot: number) => string;
  /** A name for error messages ("image 17"). */
  nameOf: (slot: number) => string;
  /** Images decoded at once (default 4). */
  concurrency?: number;
}

/** Skipped images named in progress reports (the count is always exact). */
export const SKIPPED_NAMED = 20;

export class Decoder {
  private urgent: number[] = [];
  private urgentAt = 0;
  private planned: ArrayLike<number> = [];
  private plannedAt = 0;
  /** Slots to decode in the background once nothing more pressing is left (`ahead`). */
  private background: number[] = [];
  private backgroundAt = 0;
  private readonly inFlight = new Set<number>();
  private readonly waiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }[]>();
  private running = 0;
  private failure: Error | null = null;
  /** Slots that could not be decoded (skipped), and the first SKIPPED_NAMED of them by name. */
  private readonly skippedSlots = new Set<number>();
  private readonly skippedNamed: SkippedImage[] = [];

  constructor(
    private readonly cache: PixelCache,
    private readonly options: DecoderOptions,
  ) {}

  progress(): DecodeProgress {
    const count = this.skippedSlots.size;
    return {
      done: this.cache.decoded + count,
      total: this.cache.size,
      ...(count > 0 ? { skipped: { count, images: [...this.skippedNamed] } } : {}),
    };
  }

  /** Whether a slot's image could not be read (its examples are masked out). */
  skipped(slot: number): boolean {
    return this.skippedSlots.has(slot);
  }

  private ready(slot: number): boolean {
    return this.cache.has(slot) || this.skippedSlots.has(slot);
  }

  /** The order images will be read in next (an epoch's): decoding follows it from its start. */
  schedule(slots: ArrayLike<number>): void {
    this.planned = slots;
    this.plannedAt = 0;
    this.pump();
  }

  /** Adds slots (a split's) to decode in the background once the urgent and scheduled ones are done. */
  ahead(slots: ArrayLike<number>): void {
    for (let i = 0; i < slots.length; i++) this.background.push(slots[i]!);
  }

  /** Resolves when every slot is decoded or skipped; they go to the front of the queue. Rejects once the pipeline is closed. */
  ensure(slots: ArrayLike<number>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (this.ready(slot)) continue;
      waits.push(new Promise<void>((resolve, reject) => (this.waiters.get(slot) ?? this.waiters.set(slot, []).get(slot)!).push({ resolve, reject })));
      if (!this.inFlight.has(slot)) this.urgent.push(slot);
    }
    if (waits.length === 0) return Promise.resolve();
    this.pump();
    return Promise.all(waits).then(() => undefined);
  }

  /** Stops decoding (the job is over): nothing new starts; images in flight finish and are dropped by the closed cache. */
  stop(): void {
    this.fail(new Error('the data pipeline was closed'));
  }

  /** Resolves when every image is decoded or skipped. */
  ensureAll(): Promise<void> {
    return this.ensure(Array.from({ length: this.cache.size }, (_, i) => i));
  }

  private next(): number | null {
    const open = (slot: number) => !this.ready(slot) && !this.inFlight.has(slot);
    while (this.urgentAt < this.urgent.length) {
      const slot = this.urgent[this.urgentAt++]!;
      if (open(slot)) return slot;
    }
    this.urgent = [];
    this.urgentAt = 0;
    while (this.plannedAt < this.planned.length) {
      const slot = this.planned[this.plannedAt++]!;
      if (open(slot)) return slot;
    }
    while (this.backgroundAt < this.background.length) {
      const slot = this.background[this.backgroundAt++]!;
      if (open(slot)) return slot;
    }
    return null;
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (!this.failure && this.running < limit) {
      const slot = this.next();
      if (slot === null) return;
      this.running++;
      this.inFlight.add(slot);
      void this.decode(slot).finally(() => {
        this.running--;
        this.inFlight.delete(slot);
        this.pump();
      });
    }
  }

  private async decode(slot: number): Promise<void> {
    let file = '';
    try {
      file = this.options.fileOf(slot);
      this.cache.put(slot, await decodeRaw(file, this.options.input));
    } catch (error) {
      if (this.failure) return;
      this.skippedSlots.add(slot);
      const reason = (error as Error).message;
      if (this.skippedNamed.length < SKIPPED_NAMED) this.skippedNamed.push({ name: this.options.nameOf(slot), file, reason });
    }
    for (const w of this.waiters.get(slot) ?? []) w.resolve();
    this.waiters.delete(slot);
  }

  /** Closing ends the pipeline: every waiter is told. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const list of this.waiters.values()) for (const w of list) w.reject(this.failure);
    this.waiters.clear();
  }
}
