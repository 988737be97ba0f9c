/**
 * Keeping the labels on screen and the store in step: the labels and versions an image's
 * detail carries, merging a fresh detail into what is shown without losing edits still on
 * their way, and the conflict a refused write turns into (changed elsewhere: keep theirs, or
 * overwrite with mine). Pure.
 */
import type { AnnotationView, ImageDetail } from '../../../shared/api/contract.js';
import type { Labels, ShownLabel } from './label-state';

/** A label the store refused to overwrite: someone else changed it after this page showed it. */
export interface LabelConflict {
  imageId: number;
  targetId: number;
  /** What the store holds now; null: not looked at. */
  theirs: ShownLabel | null;
  theirsVersion: number;
  /** What this page wanted to store; null: clear it. */
  mine: ShownLabel | null;
}

/** A write refused because the label changed elsewhere, with what the store holds now. */
export class ConflictError extends Error {
  constructor(
    readonly conflict: LabelConflict,
    readonly detail: ImageDetail,
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

function shown(a: AnnotationView): ShownLabel {
  return {
    state: a.state,
    value: a.state === 'unknown' ? null : a.value,
    origin: a.origin ?? 'typed',
    runId: a.runId ?? null,
    confidence: a.origin === 'accepted' ? a.confidence : null,
  };
}

/** The human labels of an image's detail with their versions (0: not looked at). */
export function labelsOf(detail: ImageDetail): { labels: Labels; versions: Record<number, number> } {
  const labels: Labels = {};
  const versions: Record<number, number> = {};
  for (const a of detail.annotations ?? []) {
    if (a.source !== 'human') continue;
    labels[a.targetId] = shown(a);
    versions[a.targetId] = a.version ?? 0;
  }
  // Details without annotations (older servers, tests) still carry the labels.
  for (const [id, l] of Object.entries(detail.labels ?? {})) {
    if (!labels[Number(id)]) labels[Number(id)] = { state: l.state, value: l.state === 'unknown' ? null : l.value, origin: l.origin ?? 'typed' };
  }
  return { labels, versions };
}

/** The store's labels where nothing local is ahead of them; `keep`: targets whose shown label stays (writes pending, a conflict open). */
export function mergeLabels(shownLabels: Labels, stored: Labels, keep: Set<number>): Labels {
  const next: Labels = {};
  for (const [id, l] of Object.entries(stored)) if (!keep.has(Number(id))) next[Number(id)] = l;
  for (const id of keep) if (shownLabels[id]) next[id] = shownLabels[id];
  return next;
}

/** How a label reads in a prompt or message. */
export function describeLabel(label: ShownLabel | null): string {
  if (!label) return 'not looked at';
  return label.state === 'unknown' ? 'unknown' : `'${label.value}'`;
}
