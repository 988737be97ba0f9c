/**
 * Sequence targets (a digit string, a word, a line of text): creating one with the length
 * target that follows it, and growing its alphabet. Kept apart from targets-repo.ts, which
 * holds what every target kind shares.
 */
import type { Database } from 'better-sqlite3';
import { invalidField } from '../../shared/errors.js';
import { alphabetProblem, charsOutside, lengthClassesFor, MAX_SEQUENCE_POSITIONS, type TargetDef } from '../../shared/targets.js';
import type { TargetsRepo } from './targets-repo.js';
import { writeTransaction } from './transaction.js';

/**
 * A sequence target over `alphabet` modelled up to `maxLength` positions, with the length
 * target that follows it (classes 0..maxLength and '>maxLength') named `rawLengthName` (null: none).
 */
export function createSequenceTarget(
  db: Database,
  targets: TargetsRepo,
  rawName: string,
  alphabet: string,
  maxLength: number,
  rawLengthName: string | null,
): TargetDef {
  const name = targets.freeTargetName(rawName, 'name');
  const lengthName = rawLengthName === null ? null : targets.freeTargetName(rawLengthName, 'lengthName');
  if (lengthName === name) throw invalidField('lengthName', `the length target needs a name other than '${name}'`);
  const problem = alphabetProblem(alphabet);
  if (problem) throw invalidField('alphabet', `the alphabet ${problem}`);
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_SEQUENCE_POSITIONS) {
    throw invalidField('maxLength', `must be a whole number from 1 to ${MAX_SEQUENCE_POSITIONS}`);
  }
  return writeTransaction(db, () => {
    const id = targets.insertTarget(name, 'sequence', alphabet, maxLength, null);
    if (lengthName !== null) {
      const lengthId = targets.insertTarget(lengthName, 'length', null, null, id);
      for (const cls of lengthClassesFor(maxLength)) targets.insertClassRow(lengthId, cls, null);
    }
    return targets.byId(id);
  });
}

/** Adds characters to a sequence target's alphabet (those it has already are skipped); returns the ones added. */
export function extendAlphabet(db: Database, targets: TargetsRepo, targetId: number, chars: string): string {
  const target = targets.byId(targetId);
  if (target.kind !== 'sequence') throw invalidField('targetId', `target '${target.name}' is a ${target.kind} target; only sequences have an alphabet`);
  const added = charsOutside(chars, target.alphabet ?? '');
  if (added === '') return '';
  const alphabet = (target.alphabet ?? '') + added;
  const problem = alphabetProblem(alphabet);
  if (problem) throw invalidField('alphabet', `the alphabet of '${target.name}' with '${added}' added ${problem}`);
  writeTransaction(db, () => db.prepare("UPDATE targets SET alphabet = ? WHERE id = ? AND kind = 'sequence'").run(alphabet, targetId));
  targets.invalidate();
  return added;
}
