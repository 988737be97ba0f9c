import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageDetail } from '../../shared/api/contract.js';
import { IMAGE_CACHE_CAPACITY, ImageCache, LruCache } from '../../renderer/src/labeling/image-cache';

describe('LRU cache', () => {
  it('never holds more than its capacity', () => {
    const cache = new LruCache<number, string>(3);
    for (let i = 0; i < 100; i++) {
      cache.set(i, `v${i}`);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.keys()).toEqual([97, 98, 99]);
  });

  it('evicts the least recently used first; reading or writing an entry makes it the most recent', () => {
    const cache = new LruCache<string, number>(3);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('d', 4);
    expect(cache.keys()).toEqual(['c', 'a', 'd']);
    cache.set('c', 30); // rewritten: now a is the least recently used
    cache.set('e', 5);
    expect(cache.keys()).toEqual(['d', 'c', 'e']);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('c')).toBe(30);
    expect(cache.get('a')).toBeUndefined();
  });

  it('has() does not count as a use; delete and clear drop entries', () => {
    const cache = new LruCache<number, number>(2);
    cache.set(1, 1);
    cache.set(2, 2);
    expect(cache.has(1)).toBe(true);
    cache.set(3, 3);
    expect(cache.keys()).toEqual([2, 3]);
    expect(cache.delete(2)).toBe(true);
    expect(cache.delete(2)).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('image cache', () => {
  const detail = (id: number) => ({ id }) as unknown as ImageDetail;
  let decode: PropertyDescriptor | undefined;
  beforeEach(() => {
    // jsdom does not decode images; a decoded element is all the cache needs.
    decode = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'decode');
    HTMLImageElement.prototype.decode = () => Promise.resolve();
  });
  afterEach(() => {
    if (decode) Object.defineProperty(HTMLImageElement.prototype, 'decode', decode);
    else delete (HTMLImageElement.prototype as Partial<HTMLImageElement>).decode;
  });

  it('fetches each image once, keeps its decoded element, and stays within its bound', async () => {
    const fetchDetail = vi.fn(async (id: number) => detail(id));
    const cache = new ImageCache({ fetchDetail, imageUrl: (id) => `media/image/${id}` });
    for (let id = 1; id <= IMAGE_CACHE_CAPACITY * 3; id++) {
      await cache.load(id);
      expect(cache.sizes.details).toBeLessThanOrEqual(IMAGE_CACHE_CAPACITY);
      expect(cache.sizes.elements).toBeLessThanOrEqual(IMAGE_CACHE_CAPACITY);
    }
    expect(cache.sizes).toEqual({ details: IMAGE_CACHE_CAPACITY, elements: IMAGE_CACHE_CAPACITY });
    const last = IMAGE_CACHE_CAPACITY * 3;
    await cache.load(last);
    expect(fetchDetail).toHaveBeenCalledTimes(last);
    const img = cache.element(last);
    expect(img.getAttribute('src')).toBe(`media/image/${last}`);
    expect(img.dataset.imageId).toBe(String(last));
    expect(cache.element(last)).toBe(img);
    await cache.load(1); // evicted long ago: fetched again
    expect(fetchDetail).toHaveBeenCalledTimes(last + 1);
  });

  it('evicts the least recently loaded image first', async () => {
    const fetchDetail = vi.fn(async (id: number) => detail(id));
    const cache = new ImageCache({ fetchDetail, imageUrl: (id) => `media/image/${id}`, capacity: 2 });
    await cache.load(1);
    await cache.load(2);
    await cache.load(1); // 2 is now the least recently used
    await cache.load(3);
    fetchDetail.mockClear();
    await cache.load(1);
    await cache.load(3);
    expect(fetchDetail).not.toHaveBeenCalled();
    await cache.load(2);
    expect(fetchDetail.mock.calls).toEqual([[2]]);
  });

  it('does not keep a failed fetch; invalidate refetches the detail, forget drops the element too', async () => {
    let fail = true;
    const fetchDetail = vi.fn(async (id: number) => {
      if (fail) throw new Error('offline');
      return detail(id);
    });
    const cache = new ImageCache({ fetchDetail, imageUrl: (id) => `media/image/${id}` });
    await expect(cache.load(4)).rejects.toThrow('offline');
    fail = false;
    expect(await cache.load(4)).toEqual(detail(4));
    const img = cache.element(4);
    cache.invalidate(4);
    await cache.load(4);
    expect(fetchDetail).toHaveBeenCalledTimes(3);
    cache.forget(4);
    expect(cache.sizes).toEqual({ details: 0, elements: 0 });
    expect(cache.element(4)).not.toBe(img);
  });
});
