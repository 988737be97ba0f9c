/**
 * What a grid tile says about its labels: a badge per categorical label, and the status dot —
 * a small pie of the image's targets in the sidebar legend's colours (labeled, unknown, not
 * looked at), so the dot and the legend mean the same thing. Pure.
 */
import type { ImageSummary } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';

export interface Badge {
  targetId: number;
  text: string;
  title: string;
  unknown: boolean;
  accepted: boolean;
  /** Came in with an import (a labels file, folder names, transcripts), not labeled here. */
  imported: boolean;
  /** A hue per class, so the same class reads the same on every tile. */
  hue: number;
}

function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

const percent = (c: number | null) => (c === null ? '' : ` at ${Math.round(c * 100)}%`);

/** One badge per categorical target the image has a human label for, in the targets' order. */
export function badgesOf(item: ImageSummary, targets: readonly TargetDef[]): Badge[] {
  const badges: Badge[] = [];
  for (const t of targets) {
    if (t.kind !== 'categorical') continue;
    const label = item.labels[t.id];
    if (!label) continue;
    const accepted = label.origin === 'accepted';
    const imported = label.origin === 'imported';
    const from = accepted
      ? `, accepted from ${label.runId !== null ? `run ${label.runId}` : 'a model suggestion'}${percent(label.confidence)}`
      : imported
        ? ', imported'
        : '';
    if (label.state === 'unknown') {
      badges.push({ targetId: t.id, text: '?', title: `${t.name}: unknown${from}`, unknown: true, accepted, imported, hue: 0 });
    } else {
      const value = label.value ?? '';
      badges.push({ targetId: t.id, text: value, title: `${t.name}: ${value}${from}`, unknown: false, accepted, imported, hue: hueOf(`${t.id}:${value}`) });
    }
  }
  return badges;
}

export interface LabelMix {
  labeled: number;
  unknown: number;
  pending: number;
}

/** How many of the image's targets are labeled, unknown and not looked at. */
export function labelMix(item: ImageSummary): LabelMix {
  let labeled = 0;
  let unknown = 0;
  for (const label of Object.values(item.labels)) {
    if (label.state === 'unknown') unknown++;
    else labeled++;
  }
  return { labeled, unknown, pending: Math.max(0, item.targetCount - labeled - unknown) };
}

/** The dot's words (its tooltip and accessible name). */
export function mixText(mix: LabelMix): string {
  return `${mix.labeled} labeled, ${mix.unknown} unknown, ${mix.pending} not looked at`;
}

/** The dot's pie: a conic gradient over the legend's colours (CSS variables set in styles.css). */
export function mixGradient(mix: LabelMix): string {
  const total = mix.labeled + mix.unknown + mix.pending || 1;
  const a = (100 * mix.labeled) / total;
  const b = a + (100 * mix.unknown) / total;
  return `conic-gradient(var(--state-labeled) 0 ${a}%, var(--state-unknown) ${a}% ${b}%, var(--state-pending) ${b}% 100%)`;
}
