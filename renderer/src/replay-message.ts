import type { EditResult } from '../../shared/api/contract.js';

/**
 * What an undo or redo did, in words: the step, and the labels it left alone because someone
 * else changed them since (an undo never reverts another person's later edit).
 */
export function replayMessage(kind: 'undo' | 'redo', result: EditResult): string {
  if (!result.description) return kind === 'undo' ? 'Nothing to undo' : 'Nothing to redo';
  const done = `${kind === 'undo' ? 'Undid' : 'Redid'}: ${result.description}`;
  if (!result.kept) return done;
  const labels = result.kept === 1 ? '1 label' : `${result.kept} labels`;
  return `${done} — kept ${labels} changed since by ${result.keptBy.join(', ')}`;
}
