/**
 * The human labels a run reads, columnar (issue 15): one Int32Array per target, indexed by
 * image id, holding a code per image — NONE (not looked at), UNKNOWN, or an index into the
 * column's distinct values (class names; texts for sequences). Read from the store in one
 * streaming pass keyed by integer ids (target id, class id), no object or Map per image, so
 * memory and time at 100,000 images are a few typed arrays and one scan of the annotations.
 *
 * A head's class index for an image is two array reads: the image's code, then a per-head
 * table from code to class index, built once per distinct value (not per image).
 */
import type { ModelSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Project } from '../domain/project.js';
import type { ResolvedHead } from './heads.js';

/** No human label for this image and target (not looked at). */
export const NONE = -2;
/** Labelled explicitly unknown. */
export const UNKNOWN = -1;

class Column {
  codes: Int32Array<ArrayBuffer> = new Int32Array(0);
  readonly values: string[] = [];
  private readonly interned = new Map<string, number>();

  /** The code of a value, added to the column's values when new. */
  intern(value: string): number {
    let code = this.interned.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.interned.set(value, code);
    }
    return code;
  }

  set(imageId: number, code: number): void {
    if (imageId >= this.codes.length) this.codes = grow(this.codes, imageId, NONE);
    this.codes[imageId] = code;
  }

  code(imageId: number): number {
    return imageId < this.codes.length ? this.codes[imageId]! : NONE;
  }
}

/** A copy of `array` long enough to index `last` (doubling), the new part filled with `fill`. */
function grow(array: Int32Array, last: number, fill: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(last + 1, array.length * 2, 1024)).fill(fill);
  out.set(array);
  return out;
}

export class LabelTable {
  private readonly columns = new Map<string, Column>();
  private present: Int32Array<ArrayBuffer> = new Int32Array(0);
  private maxId = -1;
  private sortedIds: Int32Array | null = null;
  /** Per head: value code → class index (-1: not one of the head's classes, or past the sequence's end). */
  private readonly lookups = new WeakMap<ResolvedHead, Int32Array>();
  /** Per column: value code → the number its first character reads as (compare heads), NaN for an empty value. */
  private readonly firstNumbers = new Map<string, Float64Array>();

  /** Builds a table from plain values (tests, synthetic data): null = unknown. */
  static of(rows: Iterable<{ imageId: number; target: string; value: string | null }>): LabelTable {
    const table = new LabelTable();
    for (const r of rows) {
      table.mark(r.imageId);
      const column = table.column(r.target);
      column.set(r.imageId, r.value === null ? UNKNOWN : column.intern(r.value));
    }
    return table;
  }

  private column(name: string): Column {
    let column = this.columns.get(name);
    if (!column) this.columns.set(name, (column = new Column()));
    return column;
  }

  /** Records that an image has a human label (buildExamples' candidates). */
  private mark(imageId: number): void {
    if (imageId >= this.present.length) this.present = grow(this.present, imageId, 0);
    this.present[imageId] = 1;
    if (imageId > this.maxId) this.maxId = imageId;
    this.sortedIds = null;
  }

  /** Ids of the images with at least one human label on a target read, ascending. */
  get ids(): Int32Array {
    if (!this.sortedIds) {
      let n = 0;
      for (let id = 0; id <= this.maxId; id++) n += this.present[id]!;
      const ids = new Int32Array(n);
      for (let id = 0, k = 0; id <= this.maxId; id++) if (this.present[id]) ids[k++] = id;
      this.sortedIds = ids;
    }
    return this.sortedIds;
  }

  /** An image's label of a target by name: the class name or text, null = unknown, undefined = none (or the target was not read). */
  value(imageId: number, target: string): string | null | undefined {
    const column = this.columns.get(target);
    const code = column ? column.code(imageId) : NONE;
    return code === NONE ? undefined : code === UNKNOWN ? null : column!.values[code];
  }

  /** A target/position head's class index for one image, or -1 (masked: unknown, missing, not a class, past the end). */
  classIndex(head: ResolvedHead, imageId: number): number {
    const t = head.spec.target;
    const column = this.columns.get(t.target);
    if (!column) return -1;
    const code = column.code(imageId);
    if (code < 0) return -1;
    let lookup = this.lookups.get(head);
    if (!lookup || lookup.length < column.values.length) {
      lookup = Int32Array.from(column.values, (v) =>
        t.kind === 'position' ? (t.position < v.length ? head.classes.indexOf(v[t.position]!) : -1) : head.classes.indexOf(v),
      );
      this.lookups.set(head, lookup);
    }
    return lookup[code]!;
  }

  /** The number the first character of an image's value reads as (compare heads): undefined when there is none (missing, unknown, empty). */
  firstNumber(target: string, imageId: number): number | undefined {
    const column = this.columns.get(target);
    if (!column) return undefined;
    const code = column.code(imageId);
    if (code < 0) return undefined;
    let numbers = this.firstNumbers.get(target);
    if (!numbers || numbers.length < column.values.length) {
      numbers = Float64Array.from(column.values, (v) => (v.length === 0 ? NaN : Number(v[0])));
      this.firstNumbers.set(target, numbers);
    }
    return column.values[code]!.length === 0 ? undefined : numbers[code];
  }

  /**
   * Reads the human labels of `targets` (by name; default: every target) from the store, one
   * streaming pass per target through its index, keyed by class ids (names looked up once per
   * class). `ids` are then the images with a label on one of these targets.
   */
  static read(project: Project, targets?: readonly string[]): LabelTable {
    const table = new LabelTable();
    for (const def of project.store.targets.list()) {
      if (targets && !targets.includes(def.name)) continue;
      const column = table.column(def.name);
      const classCode = classCodes(def, column);
      for (const [imageId, unknown, classId, text] of project.store.annotations.humanLabelIds(def.id)) {
        table.mark(imageId);
        column.set(imageId, unknown ? UNKNOWN : classId !== null ? (classCode.get(classId) ?? NONE) : text !== null ? column.intern(text) : NONE);
      }
    }
    return table;
  }
}

/** A categorical or length target's class ids → codes (its class names, interned in class order). */
function classCodes(def: TargetDef, column: Column): Map<number, number> {
  return new Map(def.classes.map((c) => [c.id, column.intern(c.name)]));
}

/** The targets a run's labels are read for: each head's, and the split's (grouped by a target, test set by a target's value). */
export function labelTargets(spec: ModelSpec): string[] {
  const { split } = spec.training;
  const names = spec.heads.map((h) => h.target.target);
  if (split.groupBy && typeof split.groupBy === 'object') names.push(split.groupBy.target);
  if (split.testWhere) names.push(split.testWhere.target);
  return [...new Set(names)];
}
