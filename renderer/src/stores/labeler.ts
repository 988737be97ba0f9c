import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ImageDetail } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { replayMessage } from '../replay-message';
import { api, onEvent } from '../api';
import type { LabelAction } from '../labeling/keymap';
import { afterNextPaint } from '../labeling/after-paint';
import { createLabelSync } from '../labeling/label-sync';
import { lengthWarnings, reduceLabels, type Labels } from '../labeling/label-state';
import { loadAcceptFloor, openPredictions, saveAcceptFloor, type Prediction } from '../labeling/predictions';
import { createAccept } from '../labeling/accept';
import { createDraftHolder } from '../labeling/text-draft';
import { DEFAULT_QUEUE, encodeQueue, sameQueue, unlabeledFilter, type LabelQueue } from '../labeling/queue';
import { queueIds, type QueueIds } from '../labeling/queue-ids';
import { useProjectStore } from './project';

const PREFETCH = 3;
const MESSAGE_MS = 4000;

/**
 * The labeling session: a queue of image ids (a snapshot of a filter, or a confusion cell),
 * the image shown, its labels as the user sees them with the version each was seen at, and
 * the writes on their way to the store. Labels change locally at once; writes go out in
 * order, each naming the version it was made against. A write the store refuses because
 * the label changed elsewhere becomes a conflict the user resolves; changes made elsewhere
 * reach the screen through 'annotations.changed'.
 */
export const useLabelerStore = defineStore('labeler', () => {
  const project = useProjectStore();
  const queue = ref<LabelQueue>(DEFAULT_QUEUE);
  const ids = ref<number[]>([]);
  const position = ref(0);
  const current = shallowRef<ImageDetail | null>(null);
  /** The newest detail of the shown image (its suggestions); `current` stays the same object while the image is shown. */
  const latest = shallowRef<ImageDetail | null>(null);
  const labels = ref<Labels>({});
  const activeIndex = ref(0);
  const message = ref<string | null>(null);
  const loading = ref(false);
  const acceptFloor = ref(loadAcceptFloor());
  /** The target the queue is about (keys start there), and how many of its images still need a label once at the end. */
  const focusTargetId = ref<number | null>(null);
  /** Once at the end: the queue's images that still need a label (null while counting). */
  const unlabeled = ref<number[] | null>(null);
  /** A confusion cell queue's head's class names (from the run's evaluation), to name the cell. */
  const cellClasses = shallowRef<string[] | null>(null);
  let messageTimer: ReturnType<typeof setTimeout> | undefined;
  function say(text: string | null): void {
    message.value = text;
    clearTimeout(messageTimer);
    if (text) messageTimer = setTimeout(() => (message.value = null), MESSAGE_MS);
  }
  const targets = computed<TargetDef[]>(() => project.targets);
  const sync = createLabelSync({ current, latest, labels, targets, say });
  const { images, writes, saveState, saveError, savedWrites, unsaved, conflicts, apply, refresh, resolveConflict, alsoTouched, learnVersions } = sync;

  /** A text field's draft not yet written (labeling/text-draft.ts). */
  const drafts = createDraftHolder(current, (d) => void dispatch({ type: 'setText', value: d.value, targetId: d.targetId }), say);
  /** Whether the active field has been typed into since it was entered (or since an undo). */
  let typedInSession = false;
  const newSession = () => {
    writes.newEditSession();
    typedInSession = false;
  };

  const activeTarget = computed<TargetDef | null>(() => targets.value[activeIndex.value] ?? null);
  const done = computed(() => ids.value.length > 0 && position.value >= ids.value.length);
  const remaining = computed(() => unlabeled.value?.length ?? null);
  const finished = computed(() => done.value && remaining.value === 0);
  /** What is wrong with a label shown, by target: digits that contradict the length the user set. */
  const warnings = computed(() => lengthWarnings(labels.value, targets.value));
  const queueKey = computed(() => encodeQueue(queue.value));
  const imageConflicts = computed(() => conflicts.value.filter((c) => c.imageId === current.value?.id));
  /** Model predictions of the shown image, by target, where no human label exists. */
  const predictions = computed<Record<number, Prediction>>(() => openPredictions(latest.value, labels.value));
  const focusIndex = () =>
    Math.max(
      0,
      targets.value.findIndex((t) => t.id === focusTargetId.value),
    );

  function prefetch(from: number): void {
    for (let p = from; p < Math.min(ids.value.length, from + PREFETCH); p++) void images.load(ids.value[p]!);
  }

  /** "Queue finished" only when every image of the queue is labeled, not when the end was reached by skipping. */
  async function checkRemaining(): Promise<void> {
    unlabeled.value = null;
    await writes.flush();
    const stillOpen = new Set((await api.images.ids({ filter: unlabeledFilter(focusTargetId.value) })).ids);
    unlabeled.value = ids.value.filter((id) => stillOpen.has(id));
  }

  async function show(pos: number): Promise<void> {
    drafts.leave();
    const leaving = current.value?.id;
    position.value = Math.max(0, Math.min(pos, ids.value.length));
    activeIndex.value = focusIndex();
    newSession();
    // What is on screen is the truth for an image being left; refetch it if it comes back.
    if (leaving !== undefined) images.forget(leaving);
    if (done.value || ids.value.length === 0) {
      current.value = latest.value = null;
      if (done.value) void checkRemaining();
      return;
    }
    const id = ids.value[position.value]!;
    let detail: ImageDetail;
    try {
      detail = await images.load(id);
    } catch (e) {
      if (ids.value[position.value] === id) notLoaded(id, e as Error);
      return;
    }
    if (ids.value[position.value] !== id) return; // moved on meanwhile
    current.value = detail;
    apply(detail, true); // fetched after its writes were answered: the store's labels are the truth
    // The next images were prefetched while this one was on its way; the one now entering the
    // window is fetched once this image is painted, not on the way to that frame.
    const from = position.value + 1;
    afterNextPaint(() => {
      if (position.value + 1 === from) prefetch(from);
    });
  }

  /**
   * The image at the position did not arrive (the server down): the position goes back to the
   * image shown, so the count and the keys are about it, and Enter tries that image again.
   */
  function notLoaded(id: number, error: Error): void {
    const shown = current.value ? ids.value.indexOf(current.value.id) : -1;
    if (shown >= 0) position.value = shown;
    say(`Image ${id} could not be loaded (${error.message}); ${shown >= 0 ? 'still on this one' : 'nothing shown'}: Enter tries again`);
  }

  /** Opens a queue at `startId` (added in front if the queue lacks it). */
  async function open(next: LabelQueue, startId?: number): Promise<void> {
    drafts.leave();
    loading.value = true;
    try {
      queue.value = next;
      images.clear();
      let r: QueueIds = { ids: [], targetId: null, classes: null };
      try {
        r = await queueIds(next, targets.value);
      } catch (e) {
        say((e as Error).message);
      }
      let start = 0;
      if (startId !== undefined) {
        start = r.ids.indexOf(startId);
        if (start < 0) {
          r.ids.unshift(startId);
          start = 0;
        }
      }
      ids.value = r.ids;
      focusTargetId.value = r.targetId;
      cellClasses.value = r.classes;
      current.value = latest.value = null;
      await show(start);
    } finally {
      loading.value = false;
    }
  }

  /**
   * Enter was pressed and the next image is still on its way: the image shown is one the user
   * left, and a label key is meant for the next one. It sets nothing there, and says so.
   * (A text field's draft is written on the way out, before the move: it passes.)
   */
  function arriving(draft = false): boolean {
    if (draft || done.value || current.value?.id === ids.value[position.value]) return false;
    say('The next image is still loading: that key set nothing');
    return true;
  }

  /** Goes where a URL points: the queue (opened unless shown) and the image in it. */
  async function goTo(next: LabelQueue | null, imageId?: number): Promise<void> {
    const q = next ?? queue.value; // no queue named: the one open
    if (!sameQueue(q, queue.value) || ids.value.length === 0) return open(q, imageId);
    if (imageId === undefined || imageId === current.value?.id) return;
    let pos = ids.value.indexOf(imageId);
    if (pos < 0) {
      pos = Math.min(position.value, ids.value.length);
      ids.value.splice(pos, 0, imageId);
    }
    await show(pos);
  }

  const flush = () => writes.flush();
  const accept = createAccept({ current, activeTarget, targets, predictions, labels, acceptFloor, writes, alsoTouched, say, refused: arriving, newSession });

  async function undoOrRedo(kind: 'undo' | 'redo'): Promise<void> {
    // The next key replaces what the undo brings back, also when the store's change event shows
    // it before the undo call is answered (under load it often does).
    newSession();
    // In the write queue's order: after the keys pressed before Ctrl+Z, before those pressed after it.
    const result = await writes.barrier(async () => {
      const r = kind === 'undo' ? await api.annotations.undo({}) : await api.annotations.redo({});
      await learnVersions(r.imageIds);
      return r;
    });
    say(replayMessage(kind, result));
    if (!result.description) return;
    for (const id of result.imageIds) images.invalidate(id);
    const here = current.value?.id;
    if (here !== undefined && result.imageIds.includes(here)) await refresh(here);
    else if (result.imageIds.length === 1) await goTo(queue.value, result.imageIds[0]); // undo reaches across images
    if (!typedInSession) newSession(); // keys typed meanwhile began the field again: they go on
  }

  async function dispatch(action: LabelAction): Promise<void> {
    switch (action.type) {
      case 'saveNext': // what was typed or chosen is stored as it was typed: Enter only moves on
      case 'skip':
        // Enter while the image at the position is not shown yet (on its way) goes there, never
        // past it; → is the user's own choice to pass images over, and goes on at once.
        if (!done.value) await show(position.value + (action.type === 'skip' || current.value?.id === ids.value[position.value] ? 1 : 0));
        else if (action.type === 'saveNext' && unlabeled.value?.length) await show(ids.value.indexOf(unlabeled.value[0]!));
        return;
      case 'previous':
        if (position.value > 0) await show(position.value - 1);
        return;
      case 'focusTarget': {
        const n = targets.value.length;
        if (n > 0) focusTarget((activeIndex.value + action.delta + n) % n);
        return;
      }
      case 'jumpTarget':
        return focusTarget(action.index);
      case 'undo':
      case 'redo':
        return undoOrRedo(action.type);
      case 'accept':
      case 'acceptAll':
        return accept(action.type === 'acceptAll');
      case 'hint':
        return say(action.text);
      case 'help':
      case 'escape':
        return;
      default: {
        const image = current.value;
        const own = action.type === 'setText' && action.targetId !== undefined;
        const target = own ? (targets.value.find((t) => t.id === action.targetId) ?? null) : activeTarget.value;
        if (!image || !target || arriving(action.type === 'setText')) return;
        const before = labels.value;
        const result = reduceLabels(before, targets.value, target, action, !typedInSession);
        if (target === activeTarget.value) typedInSession = true;
        labels.value = result.labels;
        for (const w of result.writes) {
          const intent = {
            before: before[w.targetId] ?? null,
            after: result.labels[w.targetId] ?? null,
            alsoTouches: alsoTouched(w.targetId),
          };
          writes.label(image.id, w, intent);
        }
      }
    }
  }

  /** The decoded element of an image (prefetched), or a fresh one. */
  const imageElement = (id: number): HTMLImageElement => images.element(id);

  function focusTarget(index: number): void {
    if (index === activeIndex.value || index < 0 || index >= targets.value.length) return;
    drafts.save(); // another target clicked: the draft is written first, in its own edit step
    activeIndex.value = index;
    newSession();
  }

  function setAcceptFloor(floor: number): void {
    acceptFloor.value = saveAcceptFloor(floor);
  }

  // Labels changed elsewhere (another tab or window, a bulk edit, this page's own writes): the
  // shown image is fetched again once its writes are answered; prefetched ones are refetched.
  onEvent('annotations.changed', ({ imageIds }) => {
    const here = current.value?.id;
    const all = imageIds.length === 0; // predictions written: any image may have new suggestions
    if (all) images.invalidateAll();
    for (const id of all ? [] : imageIds) if (id !== here) images.invalidate(id);
    if (here !== undefined && (all || imageIds.includes(here))) void refresh(here);
    if (!done.value) prefetch(position.value + 1);
  });

  const session = { queue, queueKey, ids, position, current, labels, activeIndex, activeTarget, targets, predictions, acceptFloor, message, loading };
  const status = { saveState, saveError, savedWrites, unsaved, done, finished, remaining, warnings, conflicts, imageConflicts };
  const actions = { open, goTo, show, dispatch, flush, focusTarget, imageElement, resolveConflict, setAcceptFloor, say };
  const more = { draft: drafts.draft, holdDraft: drafts.hold, saveDraft: drafts.save, cellClasses };
  return { ...session, ...status, ...actions, ...more };
});
