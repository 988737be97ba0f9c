/**
 * What the labeler keeps of images it has fetched: their details (labels, predictions) and
 * their decoded elements, so that moving to a prefetched image shows it in the next frame.
 * Both are bounded: a long session, or queue after queue, does not hold every image seen.
 */
import type { ImageDetail } from '../../../shared/api/contract.js';

/** Enough for the prefetch window and the images around it many times over. */
export const IMAGE_CACHE_CAPACITY = 64;

/** At most `capacity` entries; adding one more drops the least recently used (read or written). */
export class LruCache<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`An LRU cache holds at least one entry, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The entry, now the most recently used. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.entries.keys()];
  }
}

export interface ImageCacheOptions {
  fetchDetail: (id: number) => Promise<ImageDetail>;
  imageUrl: (id: number) => string;
  capacity?: number;
}

/** Image details and decoded elements by image id, each an LRU cache. */
export class ImageCache {
  private readonly details: LruCache<number, Promise<ImageDetail>>;
  private readonly elements: LruCache<number, HTMLImageElement>;

  constructor(private readonly options: ImageCacheOptions) {
    this.details = new LruCache(options.capacity ?? IMAGE_CACHE_CAPACITY);
    this.elements = new LruCache(options.capacity ?? IMAGE_CACHE_CAPACITY);
  }

  /**
   * The image's detail, fetched once, resolved when its element is decoded too (an element
   * already decoded is kept: fetching the labels again does not fetch the pixels again); a
   * failed fetch is not kept.
   */
  load(id: number): Promise<ImageDetail> {
    let entry = this.details.get(id);
    if (!entry) {
      const held = this.elements.get(id);
      entry = Promise.all([this.options.fetchDetail(id), held ? Promise.resolve(held) : this.preload(id)]).then(([detail, img]) => {
        this.elements.set(id, img);
        return detail;
      });
      entry.catch(() => this.details.delete(id));
      this.details.set(id, entry);
    }
    return entry;
  }

  /** The decoded element of an image (prefetched), or a fresh one. */
  element(id: number): HTMLImageElement {
    let img = this.elements.get(id);
    if (!img) {
      img = this.create(id);
      this.elements.set(id, img);
    }
    return img;
  }

  /** The next load of the image fetches its detail again (its labels changed elsewhere). */
  invalidate(id: number): void {
    this.details.delete(id);
  }

  /** Whether the image's detail is held (fetched or on its way). */
  has(id: number): boolean {
    return this.details.has(id);
  }

  /** The next load of every image fetches its detail again. */
  invalidateAll(): void {
    this.details.clear();
  }

  /** Drops every detail and every decoded element (a new queue). */
  clear(): void {
    this.details.clear();
    this.elements.clear();
  }

  /** Drops the image's detail and element both. */
  forget(id: number): void {
    this.details.delete(id);
    this.elements.delete(id);
  }

  /** Entries held: details, elements. */
  get sizes(): { details: number; elements: number } {
    return { details: this.details.size, elements: this.elements.size };
  }

  private create(id: number): HTMLImageElement {
    const img = new Image();
    img.src = this.options.imageUrl(id);
    img.dataset.imageId = String(id);
    return img;
  }

  /**
   * Fetches and decodes an image into an element kept for display: putting this very element
   * on screen later paints in the next frame, with no fetch and no decode in between.
   */
  private preload(id: number): Promise<HTMLImageElement> {
    const img = this.create(id);
    return img.decode().then(
      () => img,
      () => img,
    );
  }
}
