import type { EditHistory, EditResult } from '../../shared/api/contract.js';
import type { LabelInput, TargetDef } from '../../shared/targets.js';
import { conflict, notFound } from '../../shared/errors.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import { snapshotOf, type ClassOp, type EditChange, type LabelSnapshot } from '../store/edit-log-repo.js';
import type { Store } from '../store/store.js';
import { clearLabel, writeLabel, type LabelWriteOptions } from './labeling.js';

const same = (a: LabelSnapshot, b: LabelSnapshot) =>
  a.state === b.state && a.text === b.text && a.classId === b.classId && a.origin === b.origin && a.runId === b.runId;

const shown = (row: AnnotationRow | undefined) =>
  !row
    ? 'not looked at'
    : row.state === 'unknown'
      ? 'unknown'
      : `'${row.class_name ?? row.text_value}'${row.origin === 'accepted' ? ' (accepted suggestion)' : ''}`;

/** A target to accept a suggestion for, with the version of its human label the person saw. */
export interface AcceptRequest {
  target: TargetDef;
  expectedVersion?: number;
}

/**
 * Human labeling with a persisted, complete undo/redo history. Every method is one
 * transaction: the labels, the derived length and the history entry commit together or not
 * at all. A write that names the version it was made against is refused, with nothing
 * written, when the label has changed since (another tab, window or person).
 */
export class HumanEdits {
  constructor(private readonly store: Store) {}

  /** The targets a label write (or clear) touches: the target, and for a sequence the length that may follow it. */
  private touched(target: TargetDef): TargetDef[] {
    const length = target.kind === 'sequence' ? this.store.targets.lengthOf(target.id) : undefined;
    return length ? [target, length] : [target];
  }

  private snapshot(imageId: number, targets: TargetDef[]): LabelSnapshot[] {
    return targets.map((t) => snapshotOf(this.store.annotations.one(imageId, t.id, 'human')));
  }

  /** Inside the write transaction: refuses an edit made against a version that is no longer current. */
  private checkVersion(imageId: number, target: TargetDef, expected: number | undefined): void {
    if (expected === undefined) return;
    const current = this.store.annotations.one(imageId, target.id, 'human');
    const version = current?.version ?? 0;
    if (version === expected) return;
    const message = `Image ${imageId}, ${target.name}: changed since you saw it — it is now ${shown(current)} (version ${version}; your edit was made against version ${expected}). Nothing was written.`;
    throw conflict(message, [{ path: 'expectedVersion', message: `image ${imageId}, target ${target.name}: stale version ${expected}, current ${version}` }]);
  }

  /** Applies `apply` to each image and records what changed as one history group (a class operation always gets its own). */
  private edit(
    imageIds: number[],
    targets: TargetDef[],
    description: string,
    coalesceKey: string | null,
    apply: (imageId: number, now: string) => void,
    classOp: ClassOp | null = null,
  ): number[] {
    const now = new Date().toISOString();
    let group: number | null = classOp ? this.store.edits.begin(description, null, now, classOp) : null;
    const changed: number[] = [];
    for (const imageId of imageIds) {
      const before = this.snapshot(imageId, targets);
      apply(imageId, now);
      const after = this.snapshot(imageId, targets);
      if (before.every((b, i) => same(b, after[i]!))) continue;
      group ??= this.store.edits.begin(description, coalesceKey, now);
      targets.forEach((t, i) => this.store.edits.record(group!, imageId, t.id, before[i]!, after[i]!));
      changed.push(imageId);
    }
    return changed;
  }

  private human(options: Partial<LabelWriteOptions> = {}) {
    return (now: string): LabelWriteOptions => ({ source: 'human', path: 'label.value', now, ...options });
  }

  /** Sets one human label; returns the stored row (undefined if the label did not stick). */
  set(imageId: number, target: TargetDef, label: LabelInput, coalesceKey?: string, expectedVersion?: number): AnnotationRow | undefined {
    return this.store.write(() => {
      this.checkVersion(imageId, target, expectedVersion);
      this.edit([imageId], this.touched(target), `${target.name} of image ${imageId}`, coalesceKey ?? null, (id, now) =>
        writeLabel(this.store, id, target, label, this.human()(now)),
      );
      return this.store.annotations.one(imageId, target.id, 'human');
    });
  }

  clear(imageId: number, target: TargetDef, coalesceKey?: string, expectedVersion?: number): boolean {
    return this.store.write(() => {
      this.checkVersion(imageId, target, expectedVersion);
      return (
        this.edit([imageId], this.touched(target), `${target.name} of image ${imageId}`, coalesceKey ?? null, (id) => clearLabel(this.store, id, target))
          .length > 0
      );
    });
  }

  bulkSet(imageIds: number[], target: TargetDef, label: LabelInput): number[] {
    if (target.kind === 'sequence') throw conflict(`Bulk edits set length or categorical targets; '${target.name}' is typed per image`);
    const value = label.kind === 'unknown' ? 'unknown' : label.value;
    return this.store.write(() =>
      this.edit(imageIds, this.touched(target), `${target.name} = ${value} for ${imageIds.length} images`, null, (id, now) =>
        writeLabel(this.store, id, target, label, this.human()(now)),
      ),
    );
  }

  /** Writes a model suggestion as a human label, keeping where it came from (inside the caller's edit). */
  private acceptOne(imageId: number, target: TargetDef, suggestion: AnnotationRow, now: string): void {
    const value = suggestion.state === 'unknown' ? null : (suggestion.class_name ?? suggestion.text_value);
    const label: LabelInput = value === null ? { kind: 'unknown' } : { kind: 'value', value };
    writeLabel(this.store, imageId, target, label, this.human({ origin: 'accepted', runId: suggestion.run_id, confidence: suggestion.confidence })(now));
  }

  /** Accepts the model's suggestion for one target as the human label: a deliberate act, one undo step. */
  accept(imageId: number, target: TargetDef, expectedVersion?: number): AnnotationRow {
    return this.store.write(() => {
      const suggestion = this.store.annotations.one(imageId, target.id, 'model');
      if (!suggestion) throw notFound(`A model prediction of ${target.name} for image ${imageId}`);
      this.checkVersion(imageId, target, expectedVersion);
      this.edit([imageId], this.touched(target), `accept ${target.name} of image ${imageId}`, null, (id, now) => this.acceptOne(id, target, suggestion, now));
      return this.store.annotations.one(imageId, target.id, 'human')!;
    });
  }

  /** Accepts the suggestions of several targets of one image (those at or above the floor, not over a person's label): one undo step. */
  acceptMany(
    imageId: number,
    requests: AcceptRequest[],
    minConfidence: number,
  ): { accepted: AnnotationRow[]; skipped: { targetId: number; reason: string }[] } {
    return this.store.write(() => {
      const skipped: { targetId: number; reason: string }[] = [];
      const chosen: { target: TargetDef; suggestion: AnnotationRow }[] = [];
      for (const { target, expectedVersion } of requests) {
        const suggestion = this.store.annotations.one(imageId, target.id, 'model');
        const human = this.store.annotations.one(imageId, target.id, 'human');
        if (!suggestion) skipped.push({ targetId: target.id, reason: 'no model suggestion' });
        else if ((suggestion.confidence ?? 0) < minConfidence) skipped.push({ targetId: target.id, reason: `confidence below ${minConfidence}` });
        else if (human && expectedVersion === undefined) skipped.push({ targetId: target.id, reason: 'a person has labeled it' });
        else if ((human?.version ?? 0) !== (expectedVersion ?? 0)) skipped.push({ targetId: target.id, reason: 'changed since you saw it' });
        else chosen.push({ target, suggestion });
      }
      const targets = chosen.flatMap((c) => this.touched(c.target));
      const names = chosen.map((c) => c.target.name).join(', ');
      this.edit([imageId], [...new Map(targets.map((t) => [t.id, t])).values()], `accept ${names} of image ${imageId}`, null, (id, now) => {
        for (const c of chosen) this.acceptOne(id, c.target, c.suggestion, now);
      });
      return { accepted: chosen.map((c) => this.store.annotations.one(imageId, c.target.id, 'human')!), skipped };
    });
  }

  private restore(changes: EditChange[], side: 'before' | 'after', now: string): void {
    for (const c of changes) {
      const label = c[side];
      if (label.state === null) {
        this.store.annotations.remove(c.image_id, c.target_id, 'human');
        continue;
      }
      this.store.annotations.upsert({
        imageId: c.image_id,
        targetId: c.target_id,
        source: 'human',
        state: label.state,
        textValue: label.text,
        classId: label.classId,
        confidence: label.confidence,
        runId: label.runId,
        origin: label.origin ?? 'typed',
        updatedAt: now,
      });
    }
  }

  /** Undo restores the newest group's "before" side; redo re-applies the oldest undone group's "after" side. */
  private replay(kind: 'undo' | 'redo'): EditResult {
    return this.store.write(() => {
      const group = kind === 'undo' ? this.store.edits.undoable() : this.store.edits.redoable();
      if (!group) return { description: null, imageIds: [], classTargetId: null };
      const changes = this.store.edits.changes(group.id);
      const op = group.class_op ? (JSON.parse(group.class_op) as ClassOp) : null;
      // A class comes back before its labels do, and goes after they have left it.
      if (op && kind === 'undo') this.store.targets.restoreClass(op.targetId, op.classId, op.name);
      this.restore(changes, kind === 'undo' ? 'before' : 'after', new Date().toISOString());
      if (op && kind === 'redo') {
        if (op.into === undefined) this.store.annotations.deleteModelClass(op.classId);
        else this.store.annotations.moveModelClass(op.classId, op.into);
        this.store.targets.softDeleteClass(op.classId);
      }
      this.store.edits.markUndone(group.id, kind === 'undo');
      return { description: group.description, imageIds: [...new Set(changes.map((c) => c.image_id))], classTargetId: op?.targetId ?? null };
    });
  }

  undo(): EditResult {
    return this.replay('undo');
  }

  redo(): EditResult {
    return this.replay('redo');
  }

  history(): EditHistory {
    const depth = this.store.edits.depth();
    return {
      undo: this.store.edits.undoable()?.description ?? null,
      redo: this.store.edits.redoable()?.description ?? null,
      undoDepth: depth.undo,
      redoDepth: depth.redo,
    };
  }

  /** Moves every label of a class into another class of the same target, then deletes it; one undo step. Returns the human labels moved. */
  mergeClass(targetId: number, classId: number, intoClassId: number): number {
    const { target, cls } = this.store.targets.editableClass(targetId, classId);
    const { cls: into } = this.store.targets.editableClass(targetId, intoClassId, 'intoClassId');
    if (cls.id === into.id) throw conflict(`Cannot merge class '${cls.name}' of '${target.name}' into itself`);
    return this.store.write(() => {
      const rows = this.store.annotations.humanOfClass(cls.id);
      const op: ClassOp = { kind: 'merge', targetId, classId: cls.id, name: cls.name, into: into.id };
      const moved = this.edit(
        rows.map((r) => r.image_id),
        [target],
        `merge class '${cls.name}' of ${target.name} into '${into.name}'`,
        null,
        (id, now) => {
          const row = rows.find((r) => r.image_id === id)!;
          this.store.annotations.upsert({ ...this.rewrite(row, now), classId: into.id });
        },
        op,
      );
      this.store.annotations.moveModelClass(cls.id, into.id);
      this.store.targets.softDeleteClass(cls.id);
      return moved.length;
    });
  }

  /** Deletes a class; labels that use it are never dropped silently: the caller says what they become. One undo step. */
  deleteClass(targetId: number, classId: number, labels: 'refuse' | 'unknown' | 'pending'): number {
    const { target, cls } = this.store.targets.editableClass(targetId, classId);
    return this.store.write(() => {
      const rows = this.store.annotations.humanOfClass(cls.id);
      if (rows.length > 0 && labels === 'refuse') {
        throw conflict(
          `Class '${cls.name}' of '${target.name}' labels ${rows.length} image(s). Merge it into another class to keep them, ` +
            "or delete it with labels 'unknown' or 'pending'.",
        );
      }
      const op: ClassOp = { kind: 'delete', targetId, classId: cls.id, name: cls.name };
      const affected = this.edit(
        rows.map((r) => r.image_id),
        [target],
        `delete class '${cls.name}' of ${target.name}`,
        null,
        (id, now) => {
          const row = rows.find((r) => r.image_id === id)!;
          if (labels === 'pending') this.store.annotations.remove(id, target.id, 'human');
          else this.store.annotations.upsert({ ...this.rewrite(row, now), state: 'unknown', classId: null });
        },
        op,
      );
      this.store.annotations.deleteModelClass(cls.id);
      this.store.targets.softDeleteClass(cls.id);
      return affected.length;
    });
  }

  /** A human row written again as it is (provenance kept), for a class operation to change one field of. */
  private rewrite(row: AnnotationRow, now: string) {
    return {
      imageId: row.image_id,
      targetId: row.target_id,
      source: 'human' as const,
      state: row.state,
      textValue: row.text_value,
      classId: row.class_id,
      confidence: row.confidence,
      runId: row.run_id,
      origin: row.origin,
      updatedAt: now,
    };
  }
}
