/**
 * The labeler's link to the store: the version each label was seen at, the writes on their
 * way (each naming that version), the image details and decoded elements held, and what
 * happens when the store and the screen disagree. A write the store refuses because the
 * label changed elsewhere is retried when the label is still what the user saw (a newer
 * version of the same value), and otherwise becomes a conflict the user resolves: keep
 * theirs, or overwrite with mine. A fresh detail (a change event, an undo) updates the
 * screen except for the labels this page is ahead of, and an image's labels are fetched
 * only once its queued writes are answered, so they are never older than those writes.
 */
import { ref, type Ref, type ShallowRef } from 'vue';
import type { ImageDetail } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { api, ApiCallError, isTransportFailure, mediaPath, onReconnect } from '../api';
import { ImageCache } from './image-cache';
import { inputOf, lengthTargetOf, sameLabel, type Labels, type ShownLabel } from './label-state';
import { ConflictError, describeLabel, labelsOf, mergeLabels, type LabelConflict } from './stored-labels';
import { createWriteQueue, type QueuedWrite, type SaveState } from './write-queue';

export interface LabelSyncContext {
  /** The image shown (the same object while it is shown), and its newest detail. */
  current: ShallowRef<ImageDetail | null>;
  latest: ShallowRef<ImageDetail | null>;
  /** Its labels as the user sees them. */
  labels: Ref<Labels>;
  targets: Readonly<Ref<TargetDef[]>>;
  /** Tells the user something (a toast). */
  say: (text: string) => void;
}

export function createLabelSync({ current, latest, labels, targets, say }: LabelSyncContext) {
  const saveState = ref<SaveState>('saved');
  const saveError = ref<string | null>(null);
  const savedWrites = ref(0);
  /** Labels with a write not yet answered (sent again while the store cannot be reached). */
  const unsaved = ref(0);
  const conflicts = ref<LabelConflict[]>([]);
  const nameOf = (targetId: number) => targets.value.find((t) => t.id === targetId)?.name ?? `target ${targetId}`;

  /** The version of each label as this page last saw it, by `image:target`; 0: not looked at. */
  const versions = new Map<string, number>();
  const vkey = (imageId: number, targetId: number) => `${imageId}:${targetId}`;
  /** Labels whose version this page's own writes moved on the side (a length set by typed digits). */
  const stale = new Set<string>();
  const sideEffects = (w: QueuedWrite) => {
    for (const t of w.intent?.alsoTouches ?? []) stale.add(vkey(w.imageId, t));
  };
  const versionOf = (imageId: number, targetId: number) => versions.get(vkey(imageId, targetId)) ?? 0;

  const images = new ImageCache({
    // An image's labels are fetched only once its queued writes are answered: never older than them.
    fetchDetail: async (id) => {
      await writes.idle(id);
      return api.images.get({ id });
    },
    imageUrl: mediaPath.image,
  });

  /** One store call, against the version this page saw; a refusal that changes nothing the user saw is retried. */
  async function call(w: QueuedWrite): Promise<void> {
    const { imageId } = w;
    if (w.kind === 'acceptMany') {
      const expected = w.targetIds.map((targetId) => ({ targetId, expectedVersion: versionOf(imageId, targetId) }));
      const r = await api.annotations.acceptMany({ imageId, targets: expected, minConfidence: w.minConfidence });
      sideEffects(w);
      for (const a of r.accepted) {
        versions.set(vkey(imageId, a.targetId), a.version);
        stale.delete(vkey(imageId, a.targetId));
      }
      if (r.skipped.length > 0) {
        const names = r.skipped.map((s) => `${nameOf(s.targetId)} (${s.reason})`);
        say(`Accepted ${r.accepted.length}; not accepted: ${names.join(', ')}`);
        void refresh(imageId);
      }
      return;
    }
    const { targetId } = w;
    const expectedVersion = versionOf(imageId, targetId);
    if (w.kind === 'set') {
      const a = await api.annotations.set({ imageId, targetId, label: w.label, coalesceKey: w.coalesceKey, expectedVersion });
      versions.set(vkey(imageId, targetId), a.version);
    } else if (w.kind === 'clear') {
      await api.annotations.clear({ imageId, targetId, coalesceKey: w.coalesceKey, expectedVersion });
      versions.set(vkey(imageId, targetId), 0);
    } else {
      const a = await api.annotations.accept({ imageId, targetId, expectedVersion });
      versions.set(vkey(imageId, targetId), a.version);
    }
    sideEffects(w);
  }

  /**
   * What the store holds for the write's label now: when it is still what the user saw (a
   * newer version of the same label, e.g. a length the typed digits set), the write goes
   * out against that version; when it already is what the write wants (a write sent again whose
   * first answer was lost in transport), it is done; otherwise it changed elsewhere.
   * Resolves true when nothing is left to send.
   */
  async function recheck(w: Exclude<QueuedWrite, { kind: 'acceptMany' }>): Promise<boolean> {
    const detail = await api.images.get({ id: w.imageId });
    const stored = labelsOf(detail);
    const theirs = stored.labels[w.targetId] ?? null;
    const theirsVersion = stored.versions[w.targetId] ?? 0;
    stale.delete(vkey(w.imageId, w.targetId));
    if (w.intent && (sameLabel(theirs, w.intent.before) || sameLabel(theirs, w.intent.after))) {
      versions.set(vkey(w.imageId, w.targetId), theirsVersion);
      return sameLabel(theirs, w.intent.after);
    }
    const message = `${nameOf(w.targetId)} of image ${w.imageId} was changed elsewhere; yours is not saved until you choose`;
    throw new ConflictError({ imageId: w.imageId, targetId: w.targetId, theirs, theirsVersion, mine: w.intent?.after ?? null }, detail, message);
  }

  async function send(w: QueuedWrite): Promise<void> {
    if (w.kind === 'acceptMany') return call(w);
    // A label this page's own write changed on the side (a derived length): learn its version first.
    if (stale.has(vkey(w.imageId, w.targetId)) && (await recheck(w))) return;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(w);
      } catch (e) {
        if (!(e instanceof ApiCallError && e.code === 'conflict') || attempt > 1) throw e;
        const before = versionOf(w.imageId, w.targetId);
        if (await recheck(w)) return;
        if (versionOf(w.imageId, w.targetId) === before) throw e; // refused for another reason
      }
    }
  }

  const writes = createWriteQueue({
    send,
    onStatus: (status) => {
      saveState.value = status.state;
      saveError.value = status.error;
      savedWrites.value = status.savedWrites;
      unsaved.value = status.unsaved;
    },
    // The server down, a network error, a 5xx: the write stays queued and is sent again.
    isTransient: (error) => !(error instanceof ConflictError) && isTransportFailure(error),
    onFailure: (write, error) => {
      if (error instanceof ConflictError) return conflictFound(error);
      // Show what the store really holds for that image (fetched once the queue is past this write).
      images.invalidate(write.imageId);
      if (current.value?.id === write.imageId) void refresh(write.imageId, true);
    },
  });

  // The connection is back: send what waits now rather than after the backoff; labels changed
  // elsewhere meanwhile sent events this page missed, so the images are fetched again.
  onReconnect(() => {
    writes.retryNow();
    images.invalidateAll();
    if (current.value) void refresh(current.value.id);
  });
  if (typeof window !== 'undefined') window.addEventListener('online', () => writes.retryNow());

  /** Shows `label` for a target of the shown image (null: not looked at). */
  function setShown(targetId: number, label: ShownLabel | null): void {
    const next = { ...labels.value };
    if (label) next[targetId] = label;
    else delete next[targetId];
    labels.value = next;
  }

  /** The label changed elsewhere: drop this page's later writes of it, show theirs, and ask. */
  function conflictFound(error: ConflictError): void {
    const c = { ...error.conflict };
    const dropped = writes.cancel((w) => w.imageId === c.imageId && w.kind !== 'acceptMany' && w.targetId === c.targetId);
    if (dropped.length > 0) c.mine = dropped.at(-1)!.intent?.after ?? null;
    versions.set(vkey(c.imageId, c.targetId), c.theirsVersion);
    conflicts.value = [...conflicts.value.filter((x) => x.imageId !== c.imageId || x.targetId !== c.targetId), c];
    images.invalidate(c.imageId);
    if (current.value?.id === c.imageId) {
      setShown(c.targetId, c.theirs);
      void refresh(c.imageId); // the rest of the image (a length the digits would have set) as stored
    } else {
      const name = nameOf(c.targetId);
      say(`${name} of image ${c.imageId} was changed elsewhere to ${describeLabel(c.theirs)}; yours was not saved. Go back to it to choose.`);
    }
  }

  /** Resolves a conflict: keep the store's label, or write this page's against the newer version. */
  function resolveConflict(c: LabelConflict, choice: 'theirs' | 'mine'): void {
    conflicts.value = conflicts.value.filter((x) => x !== c);
    if (choice === 'theirs') {
      if (conflicts.value.length === 0) writes.dismissError();
      return;
    }
    const intent = { before: c.theirs, after: c.mine, alsoTouches: alsoTouched(c.targetId) };
    if (c.mine?.origin === 'accepted') writes.accept(c.imageId, c.targetId, intent);
    else writes.label(c.imageId, { targetId: c.targetId, label: c.mine && inputOf(c.mine) }, intent);
    if (current.value?.id === c.imageId) setShown(c.targetId, c.mine);
  }

  /**
   * A fresh detail of the shown image: the store's labels, except those this page is ahead
   * of (writes pending); open conflicts show the store's newest label, and end where it
   * became what this page wanted.
   */
  function apply(detail: ImageDetail, fresh = false): void {
    const id = detail.id;
    if (current.value?.id !== id) return;
    const stored = labelsOf(detail);
    const keep = writes.pendingTargets(id);
    labels.value = fresh ? stored.labels : mergeLabels(labels.value, stored.labels, keep);
    for (const t of targets.value) {
      if (keep.has(t.id)) continue;
      versions.set(vkey(id, t.id), stored.versions[t.id] ?? 0);
      stale.delete(vkey(id, t.id));
    }
    if (conflicts.value.some((c) => c.imageId === id)) {
      conflicts.value = conflicts.value
        .map((c) =>
          c.imageId === id && !keep.has(c.targetId) ? { ...c, theirs: stored.labels[c.targetId] ?? null, theirsVersion: stored.versions[c.targetId] ?? 0 } : c,
        )
        .filter((c) => c.imageId !== id || !sameLabel(c.theirs, c.mine));
    }
    latest.value = detail;
  }

  /** Fetches an image again once its writes are answered; a fetch overtaken by a new write is repeated. */
  async function refresh(id: number, force = false): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const mark = writes.writesQueued(id);
      images.invalidate(id);
      const detail = await images.load(id);
      if (writes.writesQueued(id) !== mark && !force) continue;
      apply(detail);
      return;
    }
  }

  /**
   * An undo or redo changed these images: the writes waiting behind it (keys pressed after
   * Ctrl+Z) go out against the versions it left, not the ones it replaced.
   */
  async function learnVersions(imageIds: number[]): Promise<void> {
    const waiting = writes.pendingImages();
    for (const id of imageIds.filter((i) => waiting.has(i))) {
      const stored = labelsOf(await api.images.get({ id }));
      for (const t of targets.value) {
        versions.set(vkey(id, t.id), stored.versions[t.id] ?? 0);
        stale.delete(vkey(id, t.id));
      }
    }
  }

  /** Targets a write of `targetId` may also change in the store (a sequence's value, unknown or clear moves the length that follows it). */
  function alsoTouched(targetId: number): number[] {
    const t = targets.value.find((x) => x.id === targetId);
    const length = t ? lengthTargetOf(targets.value, t) : undefined;
    return length ? [length.id] : [];
  }

  return { images, writes, saveState, saveError, savedWrites, unsaved, conflicts, apply, refresh, resolveConflict, alsoTouched, learnVersions };
}

export type LabelSync = ReturnType<typeof createLabelSync>;
