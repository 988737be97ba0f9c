/**
 * Model predictions as the labeler offers them: shown beside a target with no human label,
 * and accepted with Enter. Pure.
 */
import type { ImageDetail } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import type { Labels, ShownLabel } from './label-state';

export interface Prediction {
  value: string | null;
  confidence: number | null;
}

/** Model predictions of an image, by target, where no human label exists. */
export function openPredictions(image: ImageDetail | null, labels: Labels): Record<number, Prediction> {
  const out: Record<number, Prediction> = {};
  for (const a of image?.annotations ?? []) {
    if (a.source === 'model' && !labels[a.targetId]) out[a.targetId] = { value: a.value, confidence: a.confidence };
  }
  return out;
}

/** The labels Enter accepts, in target order: every prediction not yet labelled by a human. */
export function predictionsToAccept(targets: TargetDef[], predictions: Record<number, Prediction>, labels: Labels): { targetId: number; label: ShownLabel }[] {
  const accepted: { targetId: number; label: ShownLabel }[] = [];
  const acceptedIds = new Set<number>();
  for (const t of targets) {
    const p = predictions[t.id];
    if (!p || labels[t.id]) continue;
    // A sequence accepted sets its length; the length's own prediction is not needed then.
    if (t.kind === 'length' && t.sourceTargetId !== null && acceptedIds.has(t.sourceTargetId)) continue;
    acceptedIds.add(t.id);
    accepted.push({ targetId: t.id, label: p.value === null ? { state: 'unknown', value: null } : { state: 'value', value: p.value } });
  }
  return accepted;
}
