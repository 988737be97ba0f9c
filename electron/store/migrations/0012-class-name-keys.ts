import type { Migration } from './types.js';

// Frozen copies of the key rules as of this migration (shared/targets.ts may change later).
const POSITIONAL = '1234567890wertyuiopsdfhjklzxcvbnm';
const isClassKey = (key: string) => /^[a-z0-9]$/u.test(key) && !['a', 'g', 'q'].includes(key);

/**
 * Class keys used to be positional only, so a target with classes '0'..'9' selected class '8'
 * with key 9 (issue: digits labeled by pressing the digit seen were stored one off). Re-keys
 * only categorical targets whose live classes all have one-character names and still carry
 * exactly the positional default keys, so no key a user chose is ever changed: a class named by
 * a free class key gets it, the others the first free positional keys in order.
 */
export const migration0012: Migration = {
  version: 12,
  name: '0012-class-name-keys',
  up(db) {
    const targets = db.prepare("SELECT id FROM targets WHERE kind = 'categorical'").pluck().all() as number[];
    const classesOf = db.prepare('SELECT id, name, hotkey FROM target_classes WHERE target_id = ? AND deleted = 0 ORDER BY position, id');
    const setKey = db.prepare('UPDATE target_classes SET hotkey = ? WHERE id = ?');
    for (const targetId of targets) {
      const classes = classesOf.all(targetId) as { id: number; name: string; hotkey: string | null }[];
      if (classes.length === 0 || classes.some((c) => [...c.name].length !== 1)) continue;
      if (classes.some((c, i) => c.hotkey !== (POSITIONAL[i] ?? null))) continue;
      const taken = new Set<string>();
      const keys = classes.map((c) => (isClassKey(c.name) && !taken.has(c.name) ? (taken.add(c.name), c.name) : null));
      let position = 0;
      classes.forEach((c, i) => {
        let key = keys[i] ?? null;
        while (key === null && position < POSITIONAL.length) {
          const next = POSITIONAL[position++]!;
          if (!taken.has(next)) key = next;
        }
        if (key !== null) taken.add(key);
        setKey.run(key, c.id);
      });
    }
  },
};
