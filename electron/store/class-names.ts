/** The rules a class of a target follows in the store: its default key, and names it may not have. */
import { conflict, invalidField } from '../../shared/errors.js';
import { caseVariantOf, nameProblem } from '../../shared/names.js';
import { nameKey, newClassHotkeys, type TargetDef } from '../../shared/targets.js';

/** The key a new class of the target gets: its own name when that is a free class key, else the first free default key. */
export function freeHotkey(target: TargetDef, name: string): string | null {
  return newClassHotkeys(
    [name],
    target.classes.map((c) => c.hotkey),
  )[0]!;
}

/**
 * The key of a class renamed to `name`: the new name's own key when the class still has the key
 * its old name gave it and the new one is free ('x' renamed 'y' moves from x to y); any other key
 * stays — a positional one, and one the user set by hand.
 */
export function renamedHotkey(target: TargetDef, cls: { id: number; name: string; hotkey: string | null }, name: string): string | null {
  const key = nameKey(name);
  if (key === null || cls.hotkey === null || cls.hotkey !== nameKey(cls.name)) return cls.hotkey;
  return target.classes.some((c) => c.id !== cls.id && c.hotkey === key) ? cls.hotkey : key;
}

/**
 * Refuses a class name the shared rules forbid (shared/names.ts), or one differing only by case
 * from another class of the target (`Serif` beside `serif` would split one class in two).
 */
export function checkClassName(target: { name: string }, name: string, others: string[], field = 'name'): void {
  const why = nameProblem(name);
  if (why) throw invalidField(field, `class name '${name}' of ${target.name} ${why}`);
  const variant = caseVariantOf(name, others);
  if (variant !== null) {
    throw conflict(`'${name}' differs only by case from the class '${variant}' of ${target.name}; use '${variant}', or rename it first`);
  }
}
