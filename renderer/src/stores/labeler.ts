import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ImageDetail, ImageFilter } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { api, mediaPath, onEvent } from '../api';
import type { LabelAction } from '../labeling/keymap';
import { reduceLabels, type LabelWrite, type Labels } from '../labeling/label-state';
import { useProjectStore } from './project';

const PREFETCH = 3;
const session = Math.random().toString(36).slice(2, 10);

function humanLabels(detail: ImageDetail): Labels {
  const labels: Labels = {};
  for (const [targetId, label] of Object.entries(detail.labels)) labels[Number(targetId)] = { ...label };
  return labels;
}

/**
 * Fetches and decodes an image into an element kept for display: putting this very element
 * on screen later paints in the next frame, with no fetch and no decode in between.
 */
function preloadImage(id: number): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = mediaPath.image(id);
  img.dataset.imageId = String(id);
  return img.decode().then(
    () => img,
    () => img,
  );
}

/**
 * The labeling session: a queue of image ids (a snapshot of a filter), the image shown,
 * its labels as the user sees them, and the writes on their way to the store. Labels
 * change locally at once; writes go out in order, one transaction each, and the save
 * state says when everything shown is stored.
 */
export const useLabelerStore = defineStore('labeler', () => {
  const project = useProjectStore();
  const filter = ref<ImageFilter>({ status: 'pending', order: 'id' });
  const queue = ref<number[]>([]);
  const position = ref(0);
  const current = shallowRef<ImageDetail | null>(null);
  const labels = ref<Labels>({});
  const activeIndex = ref(0);
  const saveState = ref<'saved' | 'saving' | 'error'>('saved');
  const saveError = ref<string | null>(null);
  const savedWrites = ref(0);
  const message = ref<string | null>(null);
  const loading = ref(false);
  const cache = new Map<number, Promise<ImageDetail>>();
  const elements = new Map<number, HTMLImageElement>();
  let chain: Promise<void> = Promise.resolve();
  let pendingWrites = 0;
  let editSession = 0;
  /** Whether the active field has been typed into since it was entered. */
  let typedInSession = false;
  const newSession = () => {
    editSession++;
    typedInSession = false;
  };

  const targets = computed<TargetDef[]>(() => project.targets);
  const activeTarget = computed<TargetDef | null>(() => targets.value[activeIndex.value] ?? null);
  const done = computed(() => queue.value.length > 0 && position.value >= queue.value.length);

  function load(id: number): Promise<ImageDetail> {
    let entry = cache.get(id);
    if (!entry) {
      entry = Promise.all([api.images.get({ id }), preloadImage(id)]).then(([detail, img]) => {
        elements.set(id, img);
        return detail;
      });
      entry.catch(() => cache.delete(id));
      cache.set(id, entry);
    }
    return entry;
  }

  function prefetch(from: number): void {
    for (let p = from; p < Math.min(queue.value.length, from + PREFETCH); p++) void load(queue.value[p]!);
  }

  async function show(pos: number): Promise<void> {
    const leaving = current.value?.id;
    position.value = Math.max(0, Math.min(pos, queue.value.length));
    activeIndex.value = 0;
    newSession();
    // What is on screen is the truth for an image being left; refetch it if it comes back.
    if (leaving !== undefined) {
      cache.delete(leaving);
      elements.delete(leaving);
    }
    if (done.value || queue.value.length === 0) {
      current.value = null;
      return;
    }
    const id = queue.value[position.value]!;
    const detail = await load(id);
    if (queue.value[position.value] !== id) return; // moved on meanwhile
    current.value = detail;
    labels.value = humanLabels(detail);
    prefetch(position.value + 1);
  }

  /** Opens a queue: the images of `next` in order, starting at `startId` (added in front if the filter excludes it). */
  async function open(next: ImageFilter, startId?: number): Promise<void> {
    loading.value = true;
    try {
      filter.value = next;
      cache.clear();
      const { ids } = await api.images.ids({ filter: next });
      let start = 0;
      if (startId !== undefined) {
        start = ids.indexOf(startId);
        if (start < 0) {
          ids.unshift(startId);
          start = 0;
        }
      }
      queue.value = ids;
      current.value = null;
      await show(start);
    } finally {
      loading.value = false;
    }
  }

  /** Queues one store call; calls go out in order, and the save state follows them. */
  function enqueueCall(imageId: number, call: () => Promise<unknown>): void {
    pendingWrites++;
    saveState.value = 'saving';
    chain = chain
      .then(async () => {
        await call();
        savedWrites.value++;
      })
      .catch(async (e: Error) => {
        saveError.value = e.message;
        saveState.value = 'error';
        // Show what the store really holds for that image.
        cache.delete(imageId);
        if (current.value?.id === imageId) {
          const detail = await load(imageId);
          current.value = detail;
          labels.value = humanLabels(detail);
        }
      })
      .finally(() => {
        pendingWrites--;
        if (pendingWrites === 0 && saveState.value !== 'error') saveState.value = 'saved';
      });
  }

  function enqueue(imageId: number, write: LabelWrite): void {
    const coalesceKey = `${session}:${imageId}:${write.targetId}:${editSession}`;
    enqueueCall(imageId, () =>
      write.label
        ? api.annotations.set({ imageId, targetId: write.targetId, label: write.label, coalesceKey })
        : api.annotations.clear({ imageId, targetId: write.targetId, coalesceKey }),
    );
  }

  /** Model predictions of the shown image, by target, where no human label exists. */
  const predictions = computed<Record<number, { value: string | null; confidence: number | null }>>(() => {
    const out: Record<number, { value: string | null; confidence: number | null }> = {};
    for (const a of current.value?.annotations ?? []) {
      if (a.source === 'model' && !labels.value[a.targetId]) out[a.targetId] = { value: a.value, confidence: a.confidence };
    }
    return out;
  });

  /** Enter on an image with predictions: every prediction not yet labelled by a human becomes a human label. */
  function acceptPredictions(): void {
    const image = current.value;
    if (!image) return;
    const pending = predictions.value;
    const accepted = new Set<number>();
    for (const t of targets.value) {
      const p = pending[t.id];
      if (!p || labels.value[t.id]) continue;
      // A sequence accepted sets its length; the length's own prediction is not needed then.
      if (t.kind === 'length' && t.sourceTargetId !== null && accepted.has(t.sourceTargetId)) continue;
      accepted.add(t.id);
      labels.value = { ...labels.value, [t.id]: p.value === null ? { state: 'unknown', value: null } : { state: 'value', value: p.value } };
      enqueueCall(image.id, () => api.annotations.accept({ imageId: image.id, targetId: t.id }));
    }
  }

  /** Resolves once every write so far has been answered. */
  function flush(): Promise<void> {
    return chain;
  }

  async function undoOrRedo(kind: 'undo' | 'redo'): Promise<void> {
    await flush();
    const result = kind === 'undo' ? await api.annotations.undo({}) : await api.annotations.redo({});
    if (!result.description) {
      message.value = kind === 'undo' ? 'Nothing to undo' : 'Nothing to redo';
      return;
    }
    message.value = `${kind === 'undo' ? 'Undid' : 'Redid'}: ${result.description}`;
    for (const id of result.imageIds) cache.delete(id);
    const here = current.value?.id;
    if (here !== undefined && result.imageIds.includes(here)) {
      const detail = await load(here);
      current.value = detail;
      labels.value = humanLabels(detail);
    } else if (result.imageIds.length === 1) {
      // Undo reaches across images: go to the image it changed.
      const id = result.imageIds[0]!;
      let pos = queue.value.indexOf(id);
      if (pos < 0) {
        pos = Math.min(position.value, queue.value.length);
        queue.value.splice(pos, 0, id);
      }
      await show(pos);
    }
  }

  async function dispatch(action: LabelAction): Promise<void> {
    switch (action.type) {
      case 'saveNext':
        acceptPredictions();
        if (!done.value) await show(position.value + 1);
        return;
      case 'skip':
        if (!done.value) await show(position.value + 1);
        return;
      case 'previous':
        if (position.value > 0) await show(position.value - 1);
        return;
      case 'focusTarget': {
        const n = targets.value.length;
        if (n > 0) activeIndex.value = (activeIndex.value + action.delta + n) % n;
        newSession();
        return;
      }
      case 'undo':
      case 'redo':
        await undoOrRedo(action.type);
        return;
      case 'help':
      case 'escape':
        return;
      default: {
        const image = current.value;
        const target = activeTarget.value;
        if (!image || !target) return;
        const result = reduceLabels(labels.value, targets.value, target, action, !typedInSession);
        typedInSession = true;
        labels.value = result.labels;
        for (const write of result.writes) enqueue(image.id, write);
      }
    }
  }

  /** The decoded element of an image (prefetched), or a fresh one. */
  function imageElement(id: number): HTMLImageElement {
    let img = elements.get(id);
    if (!img) {
      img = new Image();
      img.src = mediaPath.image(id);
      img.dataset.imageId = String(id);
      elements.set(id, img);
    }
    return img;
  }

  function focusTarget(index: number): void {
    if (index === activeIndex.value) return;
    activeIndex.value = index;
    newSession();
  }

  // Someone else changed labels (another window, a bulk edit): refetch those images when shown.
  onEvent('annotations.changed', ({ imageIds }) => {
    if (pendingWrites > 0) return;
    for (const id of imageIds) if (id !== current.value?.id) cache.delete(id);
  });

  return {
    filter,
    queue,
    position,
    current,
    labels,
    activeIndex,
    activeTarget,
    targets,
    saveState,
    saveError,
    savedWrites,
    message,
    loading,
    done,
    open,
    show,
    dispatch,
    flush,
    focusTarget,
    imageElement,
    predictions,
  };
});
