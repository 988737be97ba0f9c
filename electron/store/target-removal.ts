/**
 * Removing targets: what a removal takes with it (the labels, by source) and the removal
 * itself. Kept apart from targets-repo.ts, which defines and edits targets.
 */
import type { Database } from 'better-sqlite3';
import type { TargetDef } from '../../shared/targets.js';
import type { TargetsRepo } from './targets-repo.js';
import { writeTransaction } from './transaction.js';

export interface TargetUsage {
  /** Human labels: values and explicit unknowns. */
  human: number;
  /** Model predictions. */
  model: number;
}

/** How many labels the targets carry, together. */
export function targetUsage(db: Database, targetIds: number[]): TargetUsage {
  const usage: TargetUsage = { human: 0, model: 0 };
  const count = db.prepare<[number], { source: 'human' | 'model'; n: number }>(
    'SELECT source, count(*) AS n FROM annotations WHERE target_id = ? GROUP BY source',
  );
  for (const id of targetIds) for (const row of count.all(id)) usage[row.source] += row.n;
  return usage;
}

/**
 * Inside the caller's transaction: deletes the targets with their labels, classes and their
 * lines of the undo history (an undo cannot bring back a label of a target that is gone), and
 * the history groups left empty by that. Rows are deleted explicitly, children first: a label
 * holds its class with ON DELETE RESTRICT, so a cascade from the target would be refused.
 */
export function deleteTargetRows(db: Database, targetIds: number[]): void {
  const statements = [
    'DELETE FROM annotations WHERE target_id = ?',
    'DELETE FROM edit_changes WHERE target_id = ?',
    'DELETE FROM target_classes WHERE target_id = ?',
    'DELETE FROM targets WHERE id = ?',
  ].map((sql) => db.prepare<[number]>(sql));
  for (const id of targetIds) for (const statement of statements) statement.run(id);
  // Class merges and deletions of a removed target: their undo would name classes that are gone.
  const classOps = db.prepare<[], { id: number; class_op: string }>('SELECT id, class_op FROM edit_groups WHERE class_op IS NOT NULL').all();
  const dropGroup = db.prepare<[number]>('DELETE FROM edit_groups WHERE id = ?');
  for (const g of classOps) {
    const op = JSON.parse(g.class_op) as { targetId?: number };
    if (op.targetId !== undefined && targetIds.includes(op.targetId)) dropGroup.run(g.id);
  }
  db.prepare('DELETE FROM edit_groups WHERE class_op IS NULL AND NOT EXISTS (SELECT 1 FROM edit_changes c WHERE c.group_id = edit_groups.id)').run();
}

/** The targets a removal of `targetId` takes: itself, and the length target that follows a sequence. */
export function removalSet(targets: TargetsRepo, targetId: number): TargetDef[] {
  return [targets.byId(targetId), ...targets.list().filter((t) => t.sourceTargetId === targetId)];
}

/** Deletes a target with its labels and classes (and a sequence's length target): not undoable. Returns what was deleted. */
export function removeTarget(db: Database, targets: TargetsRepo, targetId: number): TargetDef[] {
  const removed = removalSet(targets, targetId);
  writeTransaction(db, () =>
    deleteTargetRows(
      db,
      removed.map((t) => t.id),
    ),
  );
  targets.invalidate();
  return removed;
}
