import type { TargetDef } from '../../../shared/targets.js';
import { api } from '../api';
import { headTargetName, queueTargetId, type LabelQueue } from './queue';

export interface QueueIds {
  /** The image ids the queue walks, in order. */
  ids: number[];
  /** The target the queue is about (the keys start there), or null for every target. */
  targetId: number | null;
  /** A confusion cell's head's class names, from the run's evaluation, to name the cell (null: not a cell, or none stored). */
  classes: string[] | null;
}

/** A head's class names, from the run's evaluation (null: none stored). */
async function headClasses(runId: number, head: string): Promise<string[] | null> {
  const report = await api.training.evaluation({ runId }).catch(() => null);
  return report?.heads.find((h) => h.head === head)?.classes ?? null;
}

/** What the labeler needs to open a queue: its images, its target, and a cell's class names. */
export async function queueIds(q: LabelQueue, targets: TargetDef[]): Promise<QueueIds> {
  if (q.kind === 'filter') return { ids: (await api.images.ids({ filter: q.filter })).ids, targetId: queueTargetId(q), classes: null };
  const { runId, head } = q;
  const listed: Promise<{ items: { imageId: number }[] }> =
    q.kind === 'cell' ? api.training.cell({ runId, head, trueIndex: q.trueIndex, predIndex: q.predIndex }) : api.training.mistakes({ runId, head });
  const [{ items }, runs, classes] = await Promise.all([listed, api.training.runs({}), q.kind === 'cell' ? headClasses(runId, head) : null]);
  const name = headTargetName(runs.find((r) => r.id === q.runId)?.spec, q.head);
  return { ids: items.map((i) => i.imageId), targetId: targets.find((t) => t.name === name)?.id ?? null, classes };
}
