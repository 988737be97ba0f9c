import type { EditHistory, EditResult } from '../../shared/api/contract.js';
import type { LabelInput, TargetDef } from '../../shared/targets.js';
import { conflict } from '../../shared/errors.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import { snapshotOf, type EditChange, type LabelSnapshot } from '../store/edit-log-repo.js';
import type { Store } from '../store/store.js';
import { writeLabel } from './labeling.js';

const same = (a: LabelSnapshot, b: LabelSnapshot) => a.state === b.state && a.text === b.text && a.classId === b.classId;

/**
 * Human labeling with a persisted undo/redo history. Every method is one transaction:
 * the labels, the derived length and the history entry commit together or not at all.
 */
export class HumanEdits {
  constructor(private readonly store: Store) {}

  /** The targets a label write touches: the target, and for a typed sequence its length. */
  private touched(target: TargetDef, label: LabelInput | null): TargetDef[] {
    const length = target.kind === 'sequence' && label?.kind === 'value' ? this.store.targets.lengthOf(target.id) : undefined;
    return length ? [target, length] : [target];
  }

  private snapshot(imageId: number, targets: TargetDef[]): LabelSnapshot[] {
    return targets.map((t) => snapshotOf(this.store.annotations.one(imageId, t.id, 'human')));
  }

  /** Applies `apply` to each image and records what changed as one history group. */
  private edit(
    imageIds: number[],
    target: TargetDef,
    label: LabelInput | null,
    description: string,
    coalesceKey: string | null,
    apply: (imageId: number, now: string) => void,
  ): number[] {
    const targets = this.touched(target, label);
    return this.store.write(() => {
      const now = new Date().toISOString();
      let group: number | null = null;
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
    });
  }

  /** Sets one human label; returns the stored row (undefined if the label did not stick). */
  set(imageId: number, target: TargetDef, label: LabelInput, coalesceKey?: string): AnnotationRow | undefined {
    this.edit([imageId], target, label, `${target.name} of image ${imageId}`, coalesceKey ?? null, (id, now) =>
      writeLabel(this.store, id, target, label, { source: 'human', path: 'label.value', now }),
    );
    return this.store.annotations.one(imageId, target.id, 'human');
  }

  clear(imageId: number, target: TargetDef, coalesceKey?: string): boolean {
    return (
      this.edit([imageId], target, null, `${target.name} of image ${imageId}`, coalesceKey ?? null, (id) =>
        this.store.annotations.remove(id, target.id, 'human'),
      ).length > 0
    );
  }

  bulkSet(imageIds: number[], target: TargetDef, label: LabelInput): number[] {
    if (target.kind === 'sequence') throw conflict(`Bulk edits set length or categorical targets; '${target.name}' is typed per image`);
    const shown = label.kind === 'unknown' ? 'unknown' : label.value;
    return this.edit(imageIds, target, label, `${target.name} = ${shown} for ${imageIds.length} images`, null, (id, now) =>
      writeLabel(this.store, id, target, label, { source: 'human', path: 'label.value', now }),
    );
  }

  private restore(changes: EditChange[], side: 'before' | 'after', now: string): void {
    for (const c of changes) {
      const state = side === 'before' ? c.before_state : c.after_state;
      if (state === null) {
        this.store.annotations.remove(c.image_id, c.target_id, 'human');
        continue;
      }
      this.store.annotations.upsert({
        imageId: c.image_id,
        targetId: c.target_id,
        source: 'human',
        state,
        textValue: side === 'before' ? c.before_text : c.after_text,
        classId: side === 'before' ? c.before_class_id : c.after_class_id,
        confidence: null,
        runId: null,
        updatedAt: now,
      });
    }
  }

  /** Undo restores the newest group's "before" side; redo re-applies the oldest undone group's "after" side. */
  private replay(kind: 'undo' | 'redo'): EditResult {
    return this.store.write(() => {
      const group = kind === 'undo' ? this.store.edits.undoable() : this.store.edits.redoable();
      if (!group) return { description: null, imageIds: [] };
      const changes = this.store.edits.changes(group.id);
      this.restore(changes, kind === 'undo' ? 'before' : 'after', new Date().toISOString());
      this.store.edits.markUndone(group.id, kind === 'undo');
      return { description: group.description, imageIds: [...new Set(changes.map((c) => c.image_id))] };
    });
  }

  undo(): EditResult {
    return this.replay('undo');
  }

  redo(): EditResult {
    return this.replay('redo');
  }

  history(): EditHistory {
    return { undo: this.store.edits.undoable()?.description ?? null, redo: this.store.edits.redoable()?.description ?? null };
  }

  /** Moves every label of a class into another class of the same target, then deletes it. */
  mergeClass(targetId: number, classId: number, intoClassId: number): number {
    const { target, cls } = this.store.targets.editableClass(targetId, classId);
    const { cls: into } = this.store.targets.editableClass(targetId, intoClassId, 'intoClassId');
    if (cls.id === into.id) throw conflict(`Cannot merge class '${cls.name}' of '${target.name}' into itself`);
    return this.store.write(() => {
      const moved = this.store.annotations.moveClass(cls.id, into.id);
      this.store.edits.remapClass(cls.id, into.id);
      this.store.targets.deleteClassRow(cls.id);
      return moved;
    });
  }

  /** Deletes a class; labels that use it are never dropped silently: the caller says what they become. */
  deleteClass(targetId: number, classId: number, labels: 'refuse' | 'unknown' | 'pending'): number {
    const { target, cls } = this.store.targets.editableClass(targetId, classId);
    return this.store.write(() => {
      const usage = this.store.annotations.classUsage(cls.id);
      if (usage.human > 0 && labels === 'refuse') {
        throw conflict(
          `Class '${cls.name}' of '${target.name}' labels ${usage.human} image(s). Merge it into another class to keep them, ` +
            "or delete it with labels 'unknown' or 'pending'.",
        );
      }
      const affected = this.store.annotations.releaseClass(cls.id, labels === 'pending' ? 'pending' : 'unknown');
      this.store.edits.classRemoved(cls.id, labels === 'pending' ? 'pending' : 'unknown');
      this.store.targets.deleteClassRow(cls.id);
      return affected;
    });
  }
}
