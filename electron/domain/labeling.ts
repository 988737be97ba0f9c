import { lengthClassOf, sequenceProblem, type LabelInput, type LabelSource, type TargetDef } from '../../shared/targets.js';
import { invalidField } from '../../shared/errors.js';
import type { AnnotationWrite } from '../store/annotations-repo.js';
import type { Store } from '../store/store.js';

export interface LabelWriteOptions {
  source: LabelSource;
  confidence?: number | null;
  runId?: number | null;
  /** Categorical values that are not yet classes become new classes (label-file imports). */
  createClasses?: boolean;
  /** Field path used in error messages. */
  path?: string;
  now?: string;
}

/** Turns a label into the row to store, or throws an invalid_request error naming the field. */
export function resolveLabel(store: Store, target: TargetDef, label: LabelInput, options: LabelWriteOptions): Omit<AnnotationWrite, 'imageId'> {
  const base = {
    targetId: target.id,
    source: options.source,
    confidence: options.confidence ?? null,
    runId: options.runId ?? null,
    updatedAt: options.now ?? new Date().toISOString(),
  };
  if (label.kind === 'unknown') return { ...base, state: 'unknown', textValue: null, classId: null };
  const path = options.path ?? 'label.value';
  if (target.kind === 'sequence') {
    const problem = sequenceProblem(label.value, target.alphabet ?? '');
    if (problem) throw invalidField(path, `'${label.value}' is not a valid ${target.name} value: ${problem}`);
    return { ...base, state: 'value', textValue: label.value, classId: null };
  }
  let cls = target.classes.find((c) => c.name === label.value);
  if (!cls && options.createClasses && target.kind === 'categorical' && label.value.trim() !== '') {
    cls = store.targets.ensureClass(target.id, label.value.trim());
  }
  if (!cls) {
    const names = target.classes.map((c) => c.name).join(', ');
    throw invalidField(path, `'${label.value}' is not a class of ${target.name} (classes: ${names})`);
  }
  return { ...base, state: 'value', textValue: null, classId: cls.id };
}

/**
 * Writes one label of one image inside the caller's transaction. A sequence value also
 * sets the length target that follows it (a human typing "123" has said the length is 3).
 * Returns the ids of the targets written.
 */
export function writeLabel(store: Store, imageId: number, target: TargetDef, label: LabelInput, options: LabelWriteOptions): number[] {
  const row = resolveLabel(store, target, label, options);
  store.annotations.upsert({ ...row, imageId });
  const written = [target.id];
  if (target.kind === 'sequence' && label.kind === 'value') {
    const lengthTarget = store.targets.lengthOf(target.id);
    if (lengthTarget) {
      const value = lengthClassOf(label.value, target.maxLength ?? 5);
      store.annotations.upsert({ ...resolveLabel(store, lengthTarget, { kind: 'value', value }, options), imageId });
      written.push(lengthTarget.id);
    }
  }
  return written;
}
