import { defineStore } from 'pinia';
import { ref, shallowReactive } from 'vue';
import type { ImageSummary } from '../../../shared/api/contract.js';
import { api } from '../api';

export type StatusFilter = 'any' | 'pending' | 'complete' | 'untouched';
export const PAGE_SIZE = 200;

/**
 * The Dataset grid's data: the total for the current filter and the pages of image
 * summaries fetched so far. The grid asks for the rows it shows; pages load on demand.
 */
export const useDatasetStore = defineStore('dataset', () => {
  const filter = ref<StatusFilter>('any');
  const total = ref(0);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const pages = shallowReactive(new Map<number, ImageSummary[]>());
  const inFlight = new Map<number, Promise<void>>();
  let generation = 0;

  async function loadPage(page: number): Promise<void> {
    if (pages.has(page)) return;
    const running = inFlight.get(page);
    if (running) return running;
    const gen = generation;
    const request = api.images
      .list({ offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter: { status: filter.value } })
      .then((result) => {
        if (gen !== generation) return;
        total.value = result.total;
        pages.set(page, result.items);
        loaded.value = true;
        error.value = null;
      })
      .catch((e: Error) => {
        if (gen === generation) error.value = e.message;
      })
      .finally(() => inFlight.delete(page));
    inFlight.set(page, request);
    return request;
  }

  /** Loads whatever pages cover items [start, end). */
  async function ensureRange(start: number, end: number): Promise<void> {
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor(Math.max(start, end - 1) / PAGE_SIZE);
    const loads = [];
    for (let p = first; p <= last; p++) loads.push(loadPage(p));
    await Promise.all(loads);
  }

  function itemAt(index: number): ImageSummary | undefined {
    return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Drops every cached page (after an import or a label change) and reloads the first. */
  async function reload(): Promise<void> {
    generation++;
    pages.clear();
    inFlight.clear();
    await loadPage(0);
  }

  async function setFilter(next: StatusFilter): Promise<void> {
    filter.value = next;
    total.value = 0;
    await reload();
  }

  return { filter, total, loaded, error, pages, ensureRange, itemAt, reload, setFilter };
});
