import type { Database, Statement } from 'better-sqlite3';
import { writeTransaction } from './transaction.js';
import { DEFAULT_TARGETS, newClassHotkeys, RESERVED_KEYS, type TargetClass, type TargetDef, type TargetKind } from '../../shared/targets.js';
import { conflict, invalidField, notFound } from '../../shared/errors.js';
import { normalizeName, targetNameProblem } from '../../shared/names.js';
import { checkClassName, freeHotkey, renamedHotkey } from './class-names.js';

interface TargetRow {
  id: number;
  name: string;
  kind: TargetKind;
  alphabet: string | null;
  max_length: number | null;
  source_target_id: number | null;
  position: number;
  hotkey: string | null;
}
type ClassRow = { id: number; target_id: number; name: string; hotkey: string | null; position: number };

/**
 * Target definitions and their class lists. Reads are cached; every write clears the cache,
 * and so does a commit by another process (the store's `freshen` hook, from data_version).
 * Each change checks the current state inside its own write transaction, so two processes
 * adding the same class get one class and a conflict, never a constraint failure.
 */
export class TargetsRepo {
  private cache: TargetDef[] | null = null;
  /** Set by the store: drops the cache when another connection has committed (at a transaction's start: always look). */
  freshen: (atTransactionStart: boolean) => void = () => {};
  private readonly stmts: {
    targets: Statement<[], TargetRow>;
    classes: Statement<[], ClassRow>;
    insertTarget: Statement<{ name: string; kind: TargetKind; alphabet: string | null; maxLength: number | null; source: number | null; now: string }>;
    insertClass: Statement<{ targetId: number; name: string; hotkey: string | null }>;
    renameClass: Statement<{ id: number; name: string }>;
    softDeleteClass: Statement<{ id: number }>;
    restoreClass: Statement<{ id: number; name: string }>;
    classHotkey: Statement<{ id: number; hotkey: string | null }>;
    targetHotkey: Statement<{ id: number; hotkey: string | null }>;
    renameTarget: Statement<{ id: number; name: string }>;
  };

  constructor(private readonly db: Database) {
    this.stmts = {
      targets: db.prepare('SELECT id, name, kind, alphabet, max_length, source_target_id, position, hotkey FROM targets ORDER BY position, id'),
      classes: db.prepare('SELECT id, target_id, name, hotkey, position FROM target_classes WHERE deleted = 0 ORDER BY target_id, position, id'),
      insertTarget: db.prepare(
        `INSERT INTO targets (name, kind, alphabet, max_length, source_target_id, position, created_at)
         VALUES (@name, @kind, @alphabet, @maxLength, @source, (SELECT coalesce(max(position), -1) + 1 FROM targets), @now)`,
      ),
      insertClass: db.prepare(
        `INSERT INTO target_classes (target_id, name, hotkey, position)
         VALUES (@targetId, @name, @hotkey, (SELECT coalesce(max(position), -1) + 1 FROM target_classes WHERE target_id = @targetId))`,
      ),
      renameClass: db.prepare('UPDATE target_classes SET name = @name WHERE id = @id'),
      // A deleted class stays as a row (labels in the undo history and in runs still name it), hidden,
      // its name parked under a prefix no class name can have, so the name is free again.
      softDeleteClass: db.prepare("UPDATE target_classes SET deleted = 1, name = '#deleted-' || id || '#' || name, hotkey = NULL WHERE id = @id"),
      restoreClass: db.prepare('UPDATE target_classes SET deleted = 0, name = @name WHERE id = @id'),
      classHotkey: db.prepare('UPDATE target_classes SET hotkey = @hotkey WHERE id = @id'),
      targetHotkey: db.prepare('UPDATE targets SET hotkey = @hotkey WHERE id = @id'),
      renameTarget: db.prepare('UPDATE targets SET name = @name WHERE id = @id'),
    };
  }

  /** Forgets the cached list: another process committed, or a write was made outside this repository's methods. */
  invalidate(): void {
    this.cache = null;
  }

  /** A write transaction that first catches up with changes made by other processes. */
  private tx<T>(fn: () => T): T {
    return writeTransaction(this.db, () => {
      this.freshen(true);
      return fn();
    });
  }

  list(): TargetDef[] {
    this.freshen(false);
    if (this.cache) return this.cache;
    const classes = new Map<number, TargetClass[]>();
    for (const c of this.stmts.classes.all()) {
      const list = classes.get(c.target_id) ?? [];
      list.push({ id: c.id, name: c.name, hotkey: c.hotkey, position: c.position });
      classes.set(c.target_id, list);
    }
    this.cache = this.stmts.targets.all().map((t) => ({
      id: t.id,
      name: t.name,
      kind: t.kind,
      alphabet: t.alphabet,
      maxLength: t.max_length,
      sourceTargetId: t.source_target_id,
      position: t.position,
      hotkey: t.hotkey,
      classes: classes.get(t.id) ?? [],
    }));
    return this.cache;
  }

  byId(id: number): TargetDef {
    const target = this.list().find((t) => t.id === id);
    if (!target) throw notFound(`Target ${id}`);
    return target;
  }

  byName(name: string): TargetDef | undefined {
    return this.list().find((t) => t.name === name);
  }

  /** The length target that follows a sequence target, if the project has one. */
  lengthOf(sequenceTargetId: number): TargetDef | undefined {
    return this.list().find((t) => t.kind === 'length' && t.sourceTargetId === sequenceTargetId);
  }

  /** Creates the default targets (digits, length, font_style, script) in an empty project. */
  seedDefaults(): void {
    this.tx(() => {
      if (this.list().length > 0) return;
      for (const def of DEFAULT_TARGETS) {
        const source = def.source ? (this.byName(def.source)?.id ?? null) : null;
        const id = this.insertTarget(def.name, def.kind, def.alphabet ?? null, def.maxLength ?? null, source);
        const keys = def.kind === 'categorical' ? newClassHotkeys(def.classes ?? [], []) : [];
        def.classes?.forEach((name, i) => this.insertClassRow(id, name, keys[i] ?? null));
      }
    });
  }

  createCategorical(rawName: string, classes: string[]): TargetDef {
    const name = normalizeName(rawName);
    const why = targetNameProblem(name);
    if (why) throw invalidField('name', `target name '${name}' ${why}`);
    const unique = [...new Set(classes.map(normalizeName))];
    unique.forEach((c, i) => checkClassName({ name }, c, unique.slice(0, i), `classes.${i}`));
    return this.tx(() => {
      if (this.byName(name)) throw conflict(`A target named '${name}' already exists`);
      const id = this.insertTarget(name, 'categorical', null, null, null);
      const keys = newClassHotkeys(unique, []);
      unique.forEach((c, i) => this.insertClassRow(id, c, keys[i] ?? null));
      return this.byId(id);
    });
  }

  /** A new name for a target (its labels, classes and keys stay). */
  renameTarget(targetId: number, rawName: string): TargetDef {
    return this.tx(() => {
      const target = this.byId(targetId);
      if (target.name === normalizeName(rawName)) return target;
      const name = this.freeTargetName(rawName, 'name');
      this.stmts.renameTarget.run({ id: targetId, name });
      this.cache = null;
      return this.byId(targetId);
    });
  }

  /** A valid target name no target has yet (normalized), or an error naming `field`. */
  freeTargetName(rawName: string, field: string): string {
    const name = normalizeName(rawName);
    const why = targetNameProblem(name);
    if (why) throw invalidField(field, `target name '${name}' ${why}`);
    if (this.byName(name)) throw conflict(`A target named '${name}' already exists`);
    return name;
  }

  addClass(targetId: number, rawName: string): TargetDef {
    const name = normalizeName(rawName);
    return this.tx(() => {
      const target = this.byId(targetId);
      if (target.kind !== 'categorical') {
        throw invalidField('targetId', `target '${target.name}' is a ${target.kind} target; only categorical targets have editable classes`);
      }
      if (target.classes.some((c) => c.name === name)) throw conflict(`Target '${target.name}' already has a class '${name}'`);
      checkClassName(
        target,
        name,
        target.classes.map((c) => c.name),
      );
      this.insertClassRow(targetId, name, freeHotkey(target, name));
      return this.byId(targetId);
    });
  }

  renameClass(targetId: number, classId: number, rawName: string): TargetDef {
    const name = normalizeName(rawName);
    return this.tx(() => {
      const target = this.byId(targetId);
      if (target.kind !== 'categorical') {
        throw invalidField('targetId', `target '${target.name}' is a ${target.kind} target; only categorical targets have editable classes`);
      }
      const cls = target.classes.find((c) => c.id === classId);
      if (!cls) throw notFound(`Class ${classId} of target '${target.name}'`);
      if (target.classes.some((c) => c.name === name && c.id !== classId)) {
        throw conflict(`Target '${target.name}' already has a class '${name}'`);
      }
      checkClassName(
        target,
        name,
        target.classes.filter((c) => c.id !== classId).map((c) => c.name),
      );
      this.stmts.renameClass.run({ id: classId, name });
      const hotkey = renamedHotkey(target, cls, name);
      if (hotkey !== cls.hotkey) this.stmts.classHotkey.run({ id: classId, hotkey });
      this.cache = null;
      return this.byId(targetId);
    });
  }

  /** A class of an editable (categorical) target, or a not-found / invalid error. */
  editableClass(targetId: number, classId: number, field = 'classId') {
    const target = this.byId(targetId);
    if (target.kind !== 'categorical') {
      throw invalidField('targetId', `target '${target.name}' is a ${target.kind} target; only categorical targets have editable classes`);
    }
    const cls = target.classes.find((c) => c.id === classId);
    if (!cls) throw invalidField(field, `class ${classId} is not a class of '${target.name}'`);
    return { target, cls };
  }

  /** Inside the caller's transaction: hides a class (merge, delete); its human labels have been moved or released. */
  softDeleteClass(classId: number): void {
    this.cache = null;
    this.stmts.softDeleteClass.run({ id: classId });
  }

  /** Inside the caller's transaction: brings a deleted class back under its name (undo of a merge or deletion). */
  restoreClass(targetId: number, classId: number, name: string): void {
    const target = this.byId(targetId);
    if (target.classes.some((c) => c.name === name)) {
      throw conflict(`Cannot bring back class '${name}' of '${target.name}': a class of that name exists now. Rename it first.`);
    }
    this.cache = null;
    this.stmts.restoreClass.run({ id: classId, name });
  }

  /** The key that selects a class (classId given) or jumps to a target; null clears it. */
  setHotkey(targetId: number, classId: number | undefined, hotkey: string | null): TargetDef {
    return this.tx(() => this.setHotkeyNow(targetId, classId, hotkey));
  }

  private setHotkeyNow(targetId: number, classId: number | undefined, hotkey: string | null): TargetDef {
    const target = this.byId(targetId);
    if (classId === undefined) {
      const owner = this.list().find((t) => t.hotkey === hotkey && t.id !== targetId);
      if (hotkey !== null && owner) throw conflict(`Alt+${hotkey} already jumps to target '${owner.name}'`);
      this.stmts.targetHotkey.run({ id: targetId, hotkey });
    } else {
      const cls = target.classes.find((c) => c.id === classId);
      if (!cls) throw invalidField('classId', `class ${classId} is not a class of '${target.name}'`);
      if (hotkey !== null && (RESERVED_KEYS as readonly string[]).includes(hotkey)) {
        throw invalidField('hotkey', `'${hotkey}' is reserved by the labeler (a: accept suggestions, g: go to a view, q: queue picker)`);
      }
      const owner = target.classes.find((c) => c.hotkey === hotkey && c.id !== classId);
      if (hotkey !== null && owner) throw conflict(`Key '${hotkey}' already selects class '${owner.name}' of '${target.name}'`);
      this.stmts.classHotkey.run({ id: classId, hotkey });
    }
    this.cache = null;
    return this.byId(targetId);
  }

  /**
   * Inside a caller's transaction: adds a class to a categorical target (importers use it for new
   * class names), under the same rules as addClass; a name they refuse throws, naming why.
   */
  ensureClass(targetId: number, rawName: string, field = 'name'): TargetClass {
    const name = normalizeName(rawName);
    const target = this.byId(targetId);
    const existing = target.classes.find((c) => c.name === name);
    if (existing) return existing;
    checkClassName(
      target,
      name,
      target.classes.map((c) => c.name),
      field,
    );
    this.insertClassRow(targetId, name, freeHotkey(target, name));
    return this.byId(targetId).classes.find((c) => c.name === name)!;
  }

  /** Inside the caller's transaction: a new target row (sequence-targets.ts builds sequences with it). */
  insertTarget(name: string, kind: TargetKind, alphabet: string | null, maxLength: number | null, source: number | null): number {
    this.cache = null;
    const info = this.stmts.insertTarget.run({ name, kind, alphabet, maxLength, source, now: new Date().toISOString() });
    return Number(info.lastInsertRowid);
  }

  /** Inside the caller's transaction: a new class row. */
  insertClassRow(targetId: number, name: string, hotkey: string | null): void {
    this.cache = null;
    this.stmts.insertClass.run({ targetId, name, hotkey });
  }
}
