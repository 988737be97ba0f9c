import { lengthClassOf, sequenceProblem, type LabelInput, type LabelOrigin, type LabelSource, type TargetDef } from '../../shared/targets.js';
import { invalidField } from '../../shared/errors.js';
import type { AnnotationWrite } from '../store/annotations-repo.js';
import type { Store } from '../store/store.js';

export interface LabelWriteOptions {
  source: LabelSource;
  /** Human labels: typed (the default), or accepted from a model suggestion. */
  origin?: LabelOrigin;
  confidence?: number | null;
  runId?: number | null;
  /** Categorical values that are not yet classes become new classes (label-file imports). */
  createClasses?: boolean;
  /** Label files onto images already in the project: a length a person set on its own stays, as it does for typed digits. */
  keepOwnLength?: boolean;
  /** Field path used in error messages. */
  path?: string;
  now?: string;
  /** Who writes it (recorded with the label). */
  author?: string | null;
}

/** Turns a label into the row to store, or throws an invalid-value error naming the field. */
export function resolveLabel(store: Store, target: TargetDef, label: LabelInput, options: LabelWriteOptions): Omit<AnnotationWrite, 'imageId'> {
  const base = {
    targetId: target.id,
    source: options.source,
    confidence: options.confidence ?? null,
    runId: options.runId ?? null,
    updatedAt: options.now ?? new Date().toISOString(),
    origin: options.source === 'human' ? (options.origin ?? 'typed') : null,
    author: options.author ?? null,
  };
  if (label.kind === 'unknown') return { ...base, state: 'unknown', textValue: null, classId: null };
  const path = options.path ?? 'label.value';
  if (target.kind === 'sequence') {
    const problem = sequenceProblem(label.value, target.alphabet ?? '');
    if (problem) throw invalidField(path, `'${label.value}' is not a valid ${target.name} value: ${problem}`);
    return { ...base, state: 'value', textValue: label.value, classId: null };
  }
  let cls = target.classes.find((c) => c.name === label.value);
  if (!cls && options.createClasses && target.kind === 'categorical') {
    // The same name rules as the API's (shared/names.ts): a bad name or a case variant is refused, naming why.
    cls = store.targets.ensureClass(target.id, label.value, path);
  }
  if (!cls) {
    const names = target.classes.map((c) => c.name).join(', ');
    throw invalidField(path, `'${label.value}' is not a class of ${target.name} (classes: ${names})`);
  }
  return { ...base, state: 'value', textValue: null, classId: cls.id };
}

/**
 * Writes one label of one image inside the caller's transaction. A human sequence value also
 * sets the length target that follows it (a human typing "123" has said the length is 3),
 * unless a person set that length on its own to something else: then it is left as it is,
 * and the contradiction is shown, not resolved silently. A sequence made unknown makes a length
 * that followed it unknown too. Returns the ids of the targets written.
 */
export function writeLabel(store: Store, imageId: number, target: TargetDef, label: LabelInput, options: LabelWriteOptions): number[] {
  const row = resolveLabel(store, target, label, options);
  store.annotations.upsert({ ...row, imageId });
  const written = [target.id];
  if (target.kind === 'sequence' && label.kind === 'unknown' && options.source === 'human') {
    // Unreadable now: a length that followed the old value no longer says anything either.
    const lengthTarget = store.targets.lengthOf(target.id);
    const current = lengthTarget && store.annotations.one(imageId, lengthTarget.id, 'human');
    if (lengthTarget && current?.origin === 'derived' && current.state !== 'unknown') {
      store.annotations.upsert({ ...resolveLabel(store, lengthTarget, { kind: 'unknown' }, { ...options, origin: 'derived' }), imageId });
      written.push(lengthTarget.id);
    }
  }
  if (target.kind === 'sequence' && label.kind === 'value') {
    const lengthTarget = store.targets.lengthOf(target.id);
    if (lengthTarget) {
      const value = lengthClassOf(label.value, target.maxLength ?? 5);
      const derived = resolveLabel(store, lengthTarget, { kind: 'value', value }, { ...options, origin: 'derived' });
      const current = store.annotations.one(imageId, lengthTarget.id, options.source);
      // Label files (createClasses) are read as before: their digits set the length.
      const setOnItsOwn =
        options.source === 'human' && current !== undefined && current.origin !== 'derived' && (!options.createClasses || options.keepOwnLength === true);
      const unchanged = current?.state === 'value' && current.class_id === derived.classId && current.origin === derived.origin;
      if (!setOnItsOwn && !unchanged) {
        store.annotations.upsert({ ...derived, imageId });
        written.push(lengthTarget.id);
      }
    }
  }
  return written;
}

/** Removes one human label inside the caller's transaction; a length that followed a removed sequence goes with it. */
export function clearLabel(store: Store, imageId: number, target: TargetDef): void {
  store.annotations.remove(imageId, target.id, 'human');
  const lengthTarget = target.kind === 'sequence' ? store.targets.lengthOf(target.id) : undefined;
  if (lengthTarget && store.annotations.one(imageId, lengthTarget.id, 'human')?.origin === 'derived')
    store.annotations.remove(imageId, lengthTarget.id, 'human');
}
