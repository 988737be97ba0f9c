/**
 * Human labeling with a persisted, complete undo/redo history, one per user.
 *
 * Longer than 300 lines because the history's rules belong together: what one step is
 * (coalescing, class operations), how an edit checks the version it was made against, how a
 * step is replayed without reverting anyone else's later edit, and how large steps (a bulk edit
 * of 100,000 images, its undo) run in slices so the API keeps answering.
 */
import type { EditHistory, EditResult } from '../../shared/api/contract.js';
import type { LabelInput, LabelOrigin, TargetDef } from '../../shared/targets.js';
import { conflict, notFound } from '../../shared/errors.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import { snapshotOf, type ClassOp, type EditChange, type EditGroup, type LabelSnapshot } from '../store/edit-log-repo.js';
import type { Store } from '../store/store.js';
import { clearLabel, resolveLabel, writeLabel, type LabelWriteOptions } from './labeling.js';

/** How long one slice of a large step may hold the write lock and the event loop. */
export const SLICE_MS = 15;

const same = (a: LabelSnapshot, b: LabelSnapshot) =>
  a.state === b.state && a.text === b.text && a.classId === b.classId && a.origin === b.origin && a.runId === b.runId;

const PROVENANCE: Partial<Record<LabelOrigin, string>> = { accepted: ' (accepted suggestion)', imported: ' (imported)' };
const shown = (row: AnnotationRow | undefined) =>
  !row ? 'not looked at' : row.state === 'unknown' ? 'unknown' : `'${row.class_name ?? row.text_value}'${PROVENANCE[row.origin ?? 'typed'] ?? ''}`;

/** A target to accept a suggestion for, with the version of its human label the person saw. */
export interface AcceptRequest {
  target: TargetDef;
  expectedVersion?: number;
}

/** The history group an edit writes into, made by its first change (a sliced edit keeps one across slices). */
interface GroupRef {
  id: number | null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Large steps of one project run one after another (a replay must not race a bulk edit of the same labels). */
const longSteps = new WeakMap<Store, Promise<unknown>>();
function oneAtATime<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const next = (longSteps.get(store) ?? Promise.resolve()).then(fn, fn);
  longSteps.set(
    store,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Runs `step` over `items` in write transactions of about SLICE_MS each, yielding to the event
 * loop between them, so other requests are answered while a large step runs.
 */
async function inSlices<T>(store: Store, items: readonly T[], step: (slice: readonly T[], last: boolean) => void): Promise<void> {
  let size = 200;
  for (let i = 0; i < items.length;) {
    const started = performance.now();
    const slice = items.slice(i, i + size);
    store.write(() => step(slice, i + slice.length >= items.length));
    i += slice.length;
    const elapsed = Math.max(0.5, performance.now() - started);
    size = Math.max(20, Math.min(10_000, Math.floor((slice.length * SLICE_MS) / elapsed)));
    if (i < items.length) await yieldToEventLoop();
  }
}

/**
 * Human labeling as one user (`author`), with a persisted, complete undo/redo history. Every
 * small edit is one transaction: the labels, the derived length and the history entry commit
 * together or not at all. A write that names the version it was made against is refused, with
 * nothing written, when the label has changed since (another tab, window or person).
 */
export class HumanEdits {
  constructor(
    private readonly store: Store,
    readonly author: string,
  ) {}

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
    const by = current?.author && current.author !== this.author ? ` by ${current.author}` : '';
    const message = `Image ${imageId}, ${target.name}: changed since you saw it${by} — it is now ${shown(current)} (version ${version}; your edit was made against version ${expected}). Nothing was written.`;
    throw conflict(message, [{ path: 'expectedVersion', message: `image ${imageId}, target ${target.name}: stale version ${expected}, current ${version}` }]);
  }

  /** Applies `apply` to each image and records what changed in one history group (a class operation always gets its own). */
  private edit(
    imageIds: readonly number[],
    targets: TargetDef[],
    description: string,
    coalesceKey: string | null,
    apply: (imageId: number, now: string) => void,
    classOp: ClassOp | null = null,
    group: GroupRef = { id: null },
  ): number[] {
    const now = new Date().toISOString();
    if (classOp && group.id === null) group.id = this.store.edits.begin(description, null, now, classOp, this.author);
    const changed: number[] = [];
    for (const imageId of imageIds) {
      const before = this.snapshot(imageId, targets);
      apply(imageId, now);
      const after = this.snapshot(imageId, targets);
      if (before.every((b, i) => same(b, after[i]!))) continue;
      group.id ??= this.store.edits.begin(description, coalesceKey, now, null, this.author);
      targets.forEach((t, i) => this.store.edits.record(group.id!, imageId, t.id, before[i]!, after[i]!));
      changed.push(imageId);
    }
    return changed;
  }

  private human(options: Partial<LabelWriteOptions> = {}) {
    return (now: string): LabelWriteOptions => ({ source: 'human', path: 'label.value', now, author: this.author, ...options });
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

  /**
   * One label for many images, as one undo step. Written in slices of about SLICE_MS (one
   * transaction each, the event loop free between them): 100,000 images never hold the API.
   */
  bulkSet(imageIds: readonly number[], target: TargetDef, label: LabelInput): Promise<number[]> {
    if (target.kind === 'sequence') throw conflict(`Bulk edits set length or categorical targets; '${target.name}' is typed per image`);
    resolveLabel(this.store, target, label, this.human()(new Date().toISOString())); // an invalid value is refused before anything is written
    const value = label.kind === 'unknown' ? 'unknown' : label.value;
    const description = `${target.name} = ${value} for ${imageIds.length} images`;
    return oneAtATime(this.store, async () => {
      const group: GroupRef = { id: null };
      const changed: number[] = [];
      await inSlices(this.store, imageIds, (slice) => {
        // The target as it is now: a class deleted elsewhere meanwhile stops the edit (what was written stays one undo step).
        const current = this.store.targets.byId(target.id);
        changed.push(
          ...this.edit(
            slice,
            this.touched(current),
            description,
            null,
            (id, now) => writeLabel(this.store, id, current, label, this.human()(now)),
            null,
            group,
          ),
        );
      });
      return changed;
    });
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

  /**
   * Brings each label of `changes` to its `to` side — only where it is still at its `from` side:
   * a label someone else has changed since is kept as it is, and counted in `kept`.
   */
  private restore(changes: EditChange[], from: 'before' | 'after', now: string, kept: Map<string, number>): void {
    const to = from === 'after' ? 'before' : 'after';
    for (const c of changes) {
      const current = this.store.annotations.one(c.image_id, c.target_id, 'human');
      if (!same(snapshotOf(current), c[from])) {
        const by = current?.author ?? 'another process';
        kept.set(by, (kept.get(by) ?? 0) + 1);
        continue;
      }
      const label = c[to];
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
        author: label.author,
      });
    }
  }

  /** A class operation's step, replayed in one transaction: the class and its labels come back (or go) together. */
  private replayClassOp(kind: 'undo' | 'redo', group: EditGroup, op: ClassOp, kept: Map<string, number>): number[] {
    const changes = this.store.edits.changes(group.id);
    // A class comes back before its labels do, and goes after they have left it.
    if (kind === 'undo') this.store.targets.restoreClass(op.targetId, op.classId, op.name);
    this.restore(changes, kind === 'undo' ? 'after' : 'before', new Date().toISOString(), kept);
    if (kind === 'redo') {
      const users = this.store.annotations.humanOfClass(op.classId).length;
      if (users > 0) throw conflict(`Cannot redo: class '${op.name}' labels ${users} image(s) again since it came back. Merge or delete it instead.`);
      if (op.into === undefined) this.store.annotations.deleteModelClass(op.classId);
      else this.store.annotations.moveModelClass(op.classId, op.into);
      this.store.targets.softDeleteClass(op.classId);
    }
    this.store.edits.markUndone(group.id, kind === 'undo');
    return changes.map((c) => c.image_id);
  }

  /**
   * Undo restores the author's newest step's "before" side; redo re-applies their oldest undone
   * step's "after" side. Labels changed since by someone else are left alone (`kept`). A large
   * step is replayed in slices.
   */
  private replay(kind: 'undo' | 'redo'): Promise<EditResult> {
    return oneAtATime(this.store, async () => {
      const kept = new Map<string, number>();
      const result = (description: string | null, imageIds: number[], classTargetId: number | null): EditResult => ({
        description,
        imageIds: [...new Set(imageIds)],
        classTargetId,
        kept: [...kept.values()].reduce((a, b) => a + b, 0),
        keptBy: [...kept.keys()],
      });
      const picked = this.store.write(() => {
        const group = kind === 'undo' ? this.store.edits.undoable(this.author) : this.store.edits.redoable(this.author);
        if (!group) return null;
        const op = group.class_op ? (JSON.parse(group.class_op) as ClassOp) : null;
        if (op) return { group, op, imageIds: this.replayClassOp(kind, group, op, kept) };
        // A redone step counts as done from its start (a new edit meanwhile must not drop it as
        // redoable); an undone step counts as undone once its last slice is written.
        if (kind === 'redo') this.store.edits.markUndone(group.id, false);
        return { group, op, imageIds: null };
      });
      if (!picked) return result(null, [], null);
      if (picked.imageIds) return result(picked.group.description, picked.imageIds, picked.op?.targetId ?? null);
      const { group } = picked;
      const from = kind === 'undo' ? 'after' : 'before';
      const imageIds: number[] = [];
      const PAGE = 5000;
      for (let cursor = { image: 0, target: 0 }; ;) {
        const page = this.store.edits.changesAfter(group.id, cursor.image, cursor.target, PAGE);
        const lastPage = page.length < PAGE;
        await inSlices(this.store, page, (slice, lastSlice) => {
          this.restore([...slice], from, new Date().toISOString(), kept);
          if (kind === 'undo' && lastPage && lastSlice) this.store.edits.markUndone(group.id, true);
        });
        if (page.length === 0 && kind === 'undo') this.store.write(() => this.store.edits.markUndone(group.id, true));
        imageIds.push(...page.map((c) => c.image_id));
        if (lastPage) break;
        const last = page[page.length - 1]!;
        cursor = { image: last.image_id, target: last.target_id };
        await yieldToEventLoop();
      }
      return result(group.description, imageIds, null);
    });
  }

  undo(): Promise<EditResult> {
    return this.replay('undo');
  }

  redo(): Promise<EditResult> {
    return this.replay('redo');
  }

  history(): EditHistory {
    const depth = this.store.edits.depth(this.author);
    return {
      undo: this.store.edits.undoable(this.author)?.description ?? null,
      redo: this.store.edits.redoable(this.author)?.description ?? null,
      undoDepth: depth.undo,
      redoDepth: depth.redo,
    };
  }

  /** Moves every label of a class into another class of the same target, then deletes it; one undo step. Returns the human labels moved. */
  mergeClass(targetId: number, classId: number, intoClassId: number): number {
    return this.store.write(() => {
      const { target, cls } = this.store.targets.editableClass(targetId, classId);
      const { cls: into } = this.store.targets.editableClass(targetId, intoClassId, 'intoClassId');
      if (cls.id === into.id) throw conflict(`Cannot merge class '${cls.name}' of '${target.name}' into itself`);
      const rows = this.store.annotations.humanOfClass(cls.id);
      const byImage = new Map(rows.map((r) => [r.image_id, r]));
      const op: ClassOp = { kind: 'merge', targetId, classId: cls.id, name: cls.name, into: into.id };
      const moved = this.edit(
        rows.map((r) => r.image_id),
        [target],
        `merge class '${cls.name}' of ${target.name} into '${into.name}'`,
        null,
        (id, now) => this.store.annotations.upsert({ ...this.rewrite(byImage.get(id)!, now), classId: into.id }),
        op,
      );
      this.store.annotations.moveModelClass(cls.id, into.id);
      this.store.targets.softDeleteClass(cls.id);
      return moved.length;
    });
  }

  /** Deletes a class; labels that use it are never dropped silently: the caller says what they become. One undo step. */
  deleteClass(targetId: number, classId: number, labels: 'refuse' | 'unknown' | 'pending'): number {
    return this.store.write(() => {
      const { target, cls } = this.store.targets.editableClass(targetId, classId);
      const rows = this.store.annotations.humanOfClass(cls.id);
      if (rows.length > 0 && labels === 'refuse') {
        throw conflict(
          `Class '${cls.name}' of '${target.name}' labels ${rows.length} image(s). Merge it into another class to keep them, ` +
            "or delete it with labels 'unknown' or 'pending'.",
        );
      }
      const byImage = new Map(rows.map((r) => [r.image_id, r]));
      const op: ClassOp = { kind: 'delete', targetId, classId: cls.id, name: cls.name };
      const affected = this.edit(
        rows.map((r) => r.image_id),
        [target],
        `delete class '${cls.name}' of ${target.name}`,
        null,
        (id, now) => {
          if (labels === 'pending') this.store.annotations.remove(id, target.id, 'human');
          else this.store.annotations.upsert({ ...this.rewrite(byImage.get(id)!, now), state: 'unknown', classId: null });
        },
        op,
      );
      this.store.annotations.deleteModelClass(cls.id);
      this.store.targets.softDeleteClass(cls.id);
      return affected.length;
    });
  }

  /** A human row written again by this author, as it is (provenance kept), for a class operation to change one field of. */
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
      author: this.author,
    };
  }
}
