/**
 * Model predictions as the labeler offers them: a suggestion beside a target with no human
 * label, never taken without a deliberate act (A for the active target, Shift+A for all of
 * an image's suggestions at or above the confidence floor the user set). Pure.
 */
import type { ImageDetail } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import type { Labels } from './label-state';

export interface Prediction {
  value: string | null;
  confidence: number | null;
  runId: number | null;
}

/** Model predictions of an image, by target, where no human label exists. */
export function openPredictions(image: ImageDetail | null, labels: Labels): Record<number, Prediction> {
  const out: Record<number, Prediction> = {};
  for (const a of image?.annotations ?? []) {
    if (a.source === 'model' && !labels[a.targetId]) out[a.targetId] = { value: a.value, confidence: a.confidence, runId: a.runId ?? null };
  }
  return out;
}

/** Whether a suggestion reaches the floor (a suggestion without a confidence reaches only a floor of 0). */
export const reachesFloor = (p: Prediction, floor: number) => floor <= 0 || (p.confidence ?? 0) >= floor;

/**
 * The targets Shift+A accepts, in target order: every suggestion shown at or above `floor`.
 * A sequence accepted sets its length; the length's own suggestion is not sent then.
 */
export function predictionsToAccept(targets: TargetDef[], predictions: Record<number, Prediction>, labels: Labels, floor = 0): TargetDef[] {
  const accepted: TargetDef[] = [];
  const acceptedIds = new Set<number>();
  for (const t of targets) {
    const p = predictions[t.id];
    if (!p || labels[t.id] || !reachesFloor(p, floor)) continue;
    if (t.kind === 'length' && t.sourceTargetId !== null && acceptedIds.has(t.sourceTargetId)) continue;
    acceptedIds.add(t.id);
    accepted.push(t);
  }
  return accepted;
}

const FLOOR_KEY = 'polyhead.acceptFloor';

/** The confidence floor for Shift+A, kept in this browser (0..1; 0 = accept every suggestion). */
export function loadAcceptFloor(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  const n = Number(storage?.getItem(FLOOR_KEY) ?? 0);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : 0;
}

export function saveAcceptFloor(floor: number, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): number {
  const n = Math.min(1, Math.max(0, Number.isFinite(floor) ? floor : 0));
  storage?.setItem(FLOOR_KEY, String(n));
  return n;
}
