import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ImageDetail, ImageFilter } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { api, mediaPath, onEvent } from '../api';
import { ImageCache } from '../labeling/image-cache';
import type { LabelAction } from '../labeling/keymap';
import { reduceLabels, type Labels } from '../labeling/label-state';
import { openPredictions, predictionsToAccept, type Prediction } from '../labeling/predictions';
import { createWriteQueue, type QueuedWrite, type SaveState } from '../labeling/write-queue';
import { useProjectStore } from './project';

const PREFETCH = 3;

function humanLabels(detail: ImageDetail): Labels {
  const labels: Labels = {};
  for (const [targetId, label] of Object.entries(detail.labels)) labels[Number(targetId)] = { ...label };
  return labels;
}

/** The store calls behind the write queue, one transaction each. */
function send(write: QueuedWrite): Promise<unknown> {
  const { imageId, targetId } = write;
  switch (write.kind) {
    case 'set':
      return api.annotations.set({ imageId, targetId, label: write.label, coalesceKey: write.coalesceKey });
    case 'clear':
      return api.annotations.clear({ imageId, targetId, coalesceKey: write.coalesceKey });
    case 'accept':
      return api.annotations.accept({ imageId, targetId });
  }
}

/**
 * The labeling session: a queue of image ids (a snapshot of a filter), the image shown,
 * its labels as the user sees them, and the writes on their way to the store. Labels
 * change locally at once; writes go out in order through the write queue, and the save
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
  const saveState = ref<SaveState>('saved');
  const saveError = ref<string | null>(null);
  const savedWrites = ref(0);
  const message = ref<string | null>(null);
  const loading = ref(false);
  const images = new ImageCache({ fetchDetail: (id) => api.images.get({ id }), imageUrl: mediaPath.image });
  const writes = createWriteQueue({
    send,
    onStatus: (status) => {
      saveState.value = status.state;
      saveError.value = status.error;
      savedWrites.value = status.savedWrites;
    },
    onFailure: async ({ imageId }) => {
      // Show what the store really holds for that image.
      images.invalidate(imageId);
      if (current.value?.id === imageId) {
        const detail = await images.load(imageId);
        current.value = detail;
        labels.value = humanLabels(detail);
      }
    },
  });
  /** Whether the active field has been typed into since it was entered. */
  let typedInSession = false;
  const newSession = () => {
    writes.newEditSession();
    typedInSession = false;
  };

  const targets = computed<TargetDef[]>(() => project.targets);
  const activeTarget = computed<TargetDef | null>(() => targets.value[activeIndex.value] ?? null);
  const done = computed(() => queue.value.length > 0 && position.value >= queue.value.length);

  function prefetch(from: number): void {
    for (let p = from; p < Math.min(queue.value.length, from + PREFETCH); p++) void images.load(queue.value[p]!);
  }

  async function show(pos: number): Promise<void> {
    const leaving = current.value?.id;
    position.value = Math.max(0, Math.min(pos, queue.value.length));
    activeIndex.value = 0;
    newSession();
    // What is on screen is the truth for an image being left; refetch it if it comes back.
    if (leaving !== undefined) images.forget(leaving);
    if (done.value || queue.value.length === 0) {
      current.value = null;
      return;
    }
    const id = queue.value[position.value]!;
    const detail = await images.load(id);
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
      images.invalidateAll();
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

  /** Model predictions of the shown image, by target, where no human label exists. */
  const predictions = computed<Record<number, Prediction>>(() => openPredictions(current.value, labels.value));

  /** Enter on an image with predictions: every prediction not yet labelled by a human becomes a human label. */
  function acceptPredictions(): void {
    const image = current.value;
    if (!image) return;
    for (const { targetId, label } of predictionsToAccept(targets.value, predictions.value, labels.value)) {
      labels.value = { ...labels.value, [targetId]: label };
      writes.accept(image.id, targetId);
    }
  }

  /** Resolves once every write so far has been answered. */
  function flush(): Promise<void> {
    return writes.flush();
  }

  async function undoOrRedo(kind: 'undo' | 'redo'): Promise<void> {
    await flush();
    const result = kind === 'undo' ? await api.annotations.undo({}) : await api.annotations.redo({});
    if (!result.description) {
      message.value = kind === 'undo' ? 'Nothing to undo' : 'Nothing to redo';
      return;
    }
    message.value = `${kind === 'undo' ? 'Undid' : 'Redid'}: ${result.description}`;
    for (const id of result.imageIds) images.invalidate(id);
    const here = current.value?.id;
    if (here !== undefined && result.imageIds.includes(here)) {
      const detail = await images.load(here);
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
        for (const write of result.writes) writes.label(image.id, write);
      }
    }
  }

  /** The decoded element of an image (prefetched), or a fresh one. */
  function imageElement(id: number): HTMLImageElement {
    return images.element(id);
  }

  function focusTarget(index: number): void {
    if (index === activeIndex.value) return;
    activeIndex.value = index;
    newSession();
  }

  // Someone else changed labels (another window, a bulk edit): refetch those images when shown.
  onEvent('annotations.changed', ({ imageIds }) => {
    if (writes.pending > 0) return;
    for (const id of imageIds) if (id !== current.value?.id) images.invalidate(id);
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
