import { defineStore } from 'pinia';
import { computed, ref, shallowReactive } from 'vue';
import type { ImageFilter, ImageSummary } from '../../../shared/api/contract.js';
import { api } from '../api';
import { coalesced } from '../composables/use-coalesced';
import { DEFAULT_VIEW, normalizeView, sameView, toImageFilter, type GridView } from '../dataset/grid-view';

export const PAGE_SIZE = 200;

/**
 * The Dataset grid's data: the view (filters and sort order), the total it matches and the
 * pages of image summaries fetched so far. The grid asks for the rows it shows; pages load on
 * demand. The selection (bulk labeling) and the keyboard cursor live here too.
 */
export const useDatasetStore = defineStore('dataset', () => {
  const view = ref<GridView>({ ...DEFAULT_VIEW });
  const filter = computed<ImageFilter>(() => toImageFilter(view.value));
  const total = ref(0);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const pages = shallowReactive(new Map<number, ImageSummary[]>());
  /** Each loaded page's cursor to the page after it: scrolling on asks by cursor (as cheap deep as at the top), a jump by offset. */
  const nextCursors = new Map<number, string | null>();
  const inFlight = new Map<number, Promise<void>>();
  let generation = 0;

  async function loadPage(page: number): Promise<void> {
    if (pages.has(page)) return;
    const running = inFlight.get(page);
    if (running) return running;
    const gen = generation;
    const after = nextCursors.get(page - 1) ?? undefined;
    const request = api.images
      .list({ offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter: filter.value, ...(after === undefined ? {} : { after }) })
      .then((result) => {
        if (gen !== generation) return;
        total.value = result.total;
        nextCursors.set(page, result.next);
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
    nextCursors.clear();
    inFlight.clear();
    await loadPage(0);
  }

  /** One reload for a burst of label changes. */
  const reloadSoon = coalesced(() => void reload(), 300);

  /** Shows another view (a filter or the order changed): the selection and cursor go, since their images may not be shown. */
  async function setView(next: Partial<GridView>): Promise<void> {
    const merged = normalizeView({ ...view.value, ...next });
    if (sameView(merged, view.value) && loaded.value) return;
    view.value = merged;
    total.value = 0;
    loaded.value = false;
    clearSelection();
    await reload();
  }

  // ------------------------------------------------------------ selection (bulk labeling)
  const selected = shallowReactive(new Set<number>());
  /** "Select all in filter": every image the filter matches, loaded or not. */
  const allInFilter = ref(false);
  let anchor: number | null = null;
  /** The tile the arrow keys move from: the last clicked or moved-to index. */
  const cursor = ref<number | null>(null);
  const selectionCount = computed(() => (allInFilter.value ? total.value : selected.size));

  function isSelected(id: number): boolean {
    return allInFilter.value || selected.has(id);
  }

  async function idsBetween(a: number, b: number): Promise<number[]> {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    await ensureRange(lo, hi + 1);
    const ids: number[] = [];
    for (let i = lo; i <= hi; i++) {
      const item = itemAt(i);
      if (item) ids.push(item.id);
    }
    return ids;
  }

  /** Click: select one; Ctrl/Cmd+click: toggle; Shift+click: the range from the last click. */
  async function select(index: number, id: number, mods: { shift: boolean; toggle: boolean }): Promise<void> {
    if (allInFilter.value) {
      allInFilter.value = false;
      selected.clear();
    }
    cursor.value = index;
    if (mods.shift && anchor !== null) {
      if (!mods.toggle) selected.clear();
      for (const each of await idsBetween(anchor, index)) selected.add(each);
      return;
    }
    if (mods.toggle) {
      if (selected.has(id)) selected.delete(id);
      else selected.add(id);
    } else {
      selected.clear();
      selected.add(id);
    }
    anchor = index;
  }

  function selectAllInFilter(): void {
    selected.clear();
    allInFilter.value = true;
  }

  function clearSelection(): void {
    selected.clear();
    allInFilter.value = false;
    anchor = null;
    cursor.value = null;
  }

  /**
   * Arrow keys: select the tile `step` tiles from the cursor (±1 across, ± a row's width down
   * or up), clamped to the images shown; with `extend` (Shift) the range from the anchor grows.
   * Resolves with the index moved to, or null when nothing is shown.
   */
  async function moveCursor(step: number, extend: boolean): Promise<number | null> {
    if (total.value === 0) return null;
    const from = cursor.value ?? (step > 0 ? -1 : total.value);
    const to = Math.min(total.value - 1, Math.max(0, from + step));
    await ensureRange(to, to + 1);
    const item = itemAt(to);
    if (!item) return null;
    await select(to, item.id, { shift: extend, toggle: false });
    return to;
  }

  /** What a bulk edit applies to: the ids, or every image of the view's filter. */
  function selection(): { imageIds: number[] } | { filter: ImageFilter } {
    return allInFilter.value ? { filter: { ...filter.value, order: 'id', reverse: undefined } } : { imageIds: [...selected] };
  }

  return {
    view,
    filter,
    total,
    loaded,
    error,
    pages,
    ensureRange,
    itemAt,
    reload,
    reloadSoon,
    setView,
    selected,
    cursor,
    moveCursor,
    allInFilter,
    selectionCount,
    isSelected,
    select,
    selectAllInFilter,
    clearSelection,
    selection,
  };
});
