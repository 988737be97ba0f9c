/**
 * A labeling queue: which images the labeler walks, in which order, and where the keys go.
 * Either a filter of the dataset (a status, or one target's state, class or model
 * predictions), the images behind one cell of a run's confusion matrix, or a head's most
 * confident mistakes on the test set (the labels most likely wrong themselves). A queue has a
 * short text form for the URL (`#/label?queue=t3:pending&image=12`), so reload and
 * Back/Forward return to the same place. Pure.
 */
import type { ImageFilter } from '../../../shared/api/contract.js';
import { imageFilterSchema } from '../../../shared/image-filter.js';
import type { TargetDef } from '../../../shared/targets.js';

export interface CellQueue {
  kind: 'cell';
  runId: number;
  head: string;
  trueIndex: number;
  predIndex: number;
}
/** The test images a run's head got wrong, most confident first (training.mistakes). */
export interface MistakesQueue {
  kind: 'mistakes';
  runId: number;
  head: string;
}
export type LabelQueue = { kind: 'filter'; filter: ImageFilter } | CellQueue | MistakesQueue;

export const DEFAULT_QUEUE: LabelQueue = { kind: 'filter', filter: { status: 'pending', order: 'id' } };

const STATUSES = ['pending', 'untouched', 'complete', 'any'] as const;
const STATES = ['pending', 'unknown', 'value', 'answered'] as const;
const int = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : null);

/**
 * The queue's text form: `pending`, `untouched`, `complete`, `any` (every target); `t3:pending`,
 * `t3:unknown`, `t3:value`, `t3:answered`, `t3:class:7`, `t3:model` (least confident first);
 * `cell:RUN:TRUE:PRED:HEAD`; `mistakes:RUN:HEAD`. Other filters fall back to `json:` and the filter.
 */
export function encodeQueue(queue: LabelQueue): string {
  if (queue.kind === 'cell') return `cell:${queue.runId}:${queue.trueIndex}:${queue.predIndex}:${queue.head}`;
  if (queue.kind === 'mistakes') return `mistakes:${queue.runId}:${queue.head}`;
  const f = queue.filter;
  const t = f.target;
  if (!t && f.order === 'id') return f.status;
  if (t && f.status === 'any' && t.maxConfidence === undefined) {
    if (t.source === 'model' && f.order === 'confidence' && t.state === undefined && t.classId === undefined) return `t${t.targetId}:model`;
    if (t.source === 'human' && f.order === 'id') {
      if (t.classId !== undefined && t.state === 'value') return `t${t.targetId}:class:${t.classId}`;
      if (t.classId === undefined && t.state !== undefined) return `t${t.targetId}:${t.state}`;
    }
  }
  return `json:${JSON.stringify(f)}`;
}

/** The queue a text form names, or null when it names none. */
export function decodeQueue(text: string | null | undefined): LabelQueue | null {
  if (!text) return null;
  if ((STATUSES as readonly string[]).includes(text)) return { kind: 'filter', filter: { status: text as (typeof STATUSES)[number], order: 'id' } };
  if (text.startsWith('json:')) {
    try {
      const parsed = imageFilterSchema.safeParse(JSON.parse(text.slice(5)));
      return parsed.success ? { kind: 'filter', filter: parsed.data } : null;
    } catch {
      return null;
    }
  }
  const parts = text.split(':');
  if (parts[0] === 'cell') {
    const [runId, trueIndex, predIndex] = [int(parts[1]), int(parts[2]), int(parts[3])];
    const head = parts.slice(4).join(':');
    return runId && trueIndex !== null && predIndex !== null && head ? { kind: 'cell', runId, head, trueIndex, predIndex } : null;
  }
  if (parts[0] === 'mistakes') {
    const runId = int(parts[1]);
    const head = parts.slice(2).join(':');
    return runId && head ? { kind: 'mistakes', runId, head } : null;
  }
  const targetId = /^t\d+$/.test(parts[0] ?? '') ? Number(parts[0]!.slice(1)) : null;
  if (!targetId) return null;
  const base = { status: 'any', order: 'id' } as const;
  if (parts[1] === 'model' && parts.length === 2)
    return { kind: 'filter', filter: { status: 'any', order: 'confidence', target: { targetId, source: 'model' } } };
  const classId = parts[1] === 'class' ? int(parts[2]) : null;
  if (classId) return { kind: 'filter', filter: { ...base, target: { targetId, classId, state: 'value', source: 'human' } } };
  const state = parts[1] as (typeof STATES)[number];
  if (parts.length === 2 && STATES.includes(state)) return { kind: 'filter', filter: { ...base, target: { targetId, state, source: 'human' } } };
  return null;
}

export const sameQueue = (a: LabelQueue, b: LabelQueue) => encodeQueue(a) === encodeQueue(b);

/** The target a run's head predicts, by name: a target head's, or a position head's sequence. */
export function headTargetName(spec: unknown, head: string): string | null {
  const heads = (spec as { heads?: { name: string; target?: { kind?: string; target?: string } }[] } | null)?.heads ?? [];
  const h = heads.find((x) => x.name === head);
  return h?.target && h.target.kind !== 'compare' ? (h.target.target ?? null) : null;
}

/**
 * The target a queue is about, where the keys start and stay from image to image: the
 * target of a per-target queue, the head's target of a confusion cell or of a head's
 * mistakes (`cellTarget`); null for queues over every target (the keys start on the first).
 */
export function queueTargetId(queue: LabelQueue, cellTarget: number | null = null): number | null {
  return queue.kind === 'filter' ? (queue.filter.target?.targetId ?? null) : cellTarget;
}

/**
 * Which images of a queue still need a label, as a filter: those where the queue's target
 * is not looked at, or for queues over every target, those with any target not looked at.
 * "Queue finished" means none of the queue's images match it.
 */
export function unlabeledFilter(targetId: number | null): ImageFilter {
  return targetId === null ? { status: 'pending', order: 'id' } : { status: 'any', order: 'id', target: { targetId, state: 'pending', source: 'human' } };
}

/** How the queue picker and the header name a queue; a confusion cell by its head's class names (`cellClasses`, from the run's evaluation) where known. */
export function queueTitle(queue: LabelQueue, targets: TargetDef[], cellClasses: readonly string[] | null = null): string {
  if (queue.kind === 'cell') {
    const name = (i: number) => cellClasses?.[i] ?? `#${i}`;
    return `Confusion cell of run ${queue.runId}, head ${queue.head} (true ${name(queue.trueIndex)}, predicted ${name(queue.predIndex)})`;
  }
  if (queue.kind === 'mistakes') return `Most confident mistakes of run ${queue.runId}, head ${queue.head}`;
  const f = queue.filter;
  const statusTitles: Record<string, string> = {
    pending: 'Not fully labeled',
    untouched: 'Not looked at at all',
    complete: 'Fully labeled',
    any: 'All images',
  };
  if (!f.target) return statusTitles[f.status] ?? f.status;
  const t = targets.find((x) => x.id === f.target!.targetId);
  const name = t?.name ?? `target ${f.target.targetId}`;
  if (f.target.source === 'model') return `${name}: model predictions, least confident first`;
  if (f.target.classId !== undefined) return `${name} = ${t?.classes.find((c) => c.id === f.target!.classId)?.name ?? `class ${f.target.classId}`}`;
  const states: Record<string, string> = { pending: 'not looked at', unknown: 'unknown', value: 'labeled', answered: 'answered' };
  return `${name}: ${states[f.target.state ?? ''] ?? 'any'}`;
}
