/**
 * What a target or class name may be: one rule set for the API's requests and for the
 * importer (class names read from label files and folder names), so that whatever the
 * importer creates, the Targets view and the API accept, and the other way round.
 */
import { z } from 'zod';
import { HASH_COLUMN } from './label-file.js';

export const NAME_MAX = 64;
/**
 * Letters and combining marks of any script, digits, space and _ - . ( ) ' + & , — enough for
 * folder names such as `Japanese_(katakana)`, but no path separators, no ':' (a label file's
 * `target:source` columns), no '#' (parked names of deleted classes), no quotes or control characters.
 */
const NAME_CHARS = /^[\p{L}\p{M}\p{N}_\- .()'+&,]+$/u;
const NAME_CHARS_HINT = `may contain letters, digits, spaces and _ - . ( ) ' + & , only`;

/** Cells that label files read as "unknown": a class may not be called that, or it could not be read back. */
export const UNKNOWN_MARKERS: ReadonlySet<string> = new Set(['?', 'unknown', '<unknown>']);

/** Columns a label file uses to name the image (and its content hash): a target may not be called that. */
export const KEY_COLUMNS = ['file', 'filename', 'file_name', 'path', 'image', 'name'] as const;

/** The form a name is stored in: Unicode NFC (a macOS folder name arrives decomposed), without surrounding spaces. */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC').trim();
}

/** Why `name` (normalized) cannot be a class name, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > NAME_MAX) return `is longer than ${NAME_MAX} characters`;
  if (!NAME_CHARS.test(name)) return NAME_CHARS_HINT;
  if (/^\.+$/.test(name)) return 'may not be only dots';
  if (UNKNOWN_MARKERS.has(name.toLowerCase())) return `'${name}' means "unknown" in label files`;
  return null;
}

/** Why `name` cannot be a target name: a class name's rules, and not a label file's key column. */
export function targetNameProblem(name: string): string | null {
  const lower = name.toLowerCase();
  if ((KEY_COLUMNS as readonly string[]).includes(lower) || lower === HASH_COLUMN) return `'${name}' is a label file's file-name or hash column`;
  return nameProblem(name);
}

/** Names compare without case (Serif and serif are one class to a reader). */
export const nameKey = (name: string) => name.normalize('NFC').toLowerCase();

/** An existing name that differs from `name` only by case, if any (an exact match is not one). */
export function caseVariantOf(name: string, existing: Iterable<string>): string | null {
  const key = nameKey(name);
  for (const other of existing) if (other !== name && nameKey(other) === key) return other;
  return null;
}

const refined = (problem: (name: string) => string | null) =>
  z
    .string()
    .overwrite(normalizeName)
    .superRefine((name, ctx) => {
      const why = problem(name);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    });

/** A class name in a request. */
export const classNameSchema = refined(nameProblem);
/** A target name in a request. */
export const targetNameSchema = refined(targetNameProblem);
