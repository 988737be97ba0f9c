/**
 * A spec's heads resolved against the project's targets: each head's class list and inputs,
 * or every problem named by its field. No TensorFlow here, so the services can check a spec
 * against the project before a run exists.
 */
import { headInputs, type HeadSpec, type ModelSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';

export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid model spec:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

export interface ResolvedHead {
  spec: HeadSpec;
  classes: string[];
  inputs: string[];
}

/** Class lists of every head, from the spec or from the project's targets; errors name the field. */
export function resolveHeads(spec: ModelSpec, targets: TargetDef[] | null): ResolvedHead[] {
  const problems: string[] = [];
  const heads = spec.heads.map((head, i) => {
    const path = `heads.${i}`;
    const before = problems.length;
    let classes = head.classes;
    const t = head.target;
    if (!classes && t.kind === 'compare') classes = ['false', 'true'];
    if (targets) {
      const target = targets.find((x) => x.name === t.target);
      if (!target) {
        problems.push(`${path}.target.target: no target named '${t.target}' (targets: ${targets.map((x) => x.name).join(', ')})`);
      } else if (t.kind === 'position' || t.kind === 'compare') {
        if (target.kind !== 'sequence') problems.push(`${path}.target: '${t.target}' is a ${target.kind} target; ${t.kind} heads read a sequence target`);
        else if (t.kind === 'position' && t.position >= (target.maxLength ?? 0)) {
          problems.push(`${path}.target.position: ${t.position} is past the ${target.maxLength} positions of '${t.target}'`);
        }
        classes ??= t.kind === 'position' ? [...(target.alphabet ?? '')] : classes;
      } else {
        if (target.kind === 'sequence') problems.push(`${path}.target: '${t.target}' is a sequence; use a position head per character`);
        classes ??= target.classes.map((c) => c.name);
      }
    }
    const target = targets?.find((x) => x.name === t.target);
    if ((!classes || classes.length < 2) && problems.length === before) {
      const why =
        target?.kind === 'categorical' && !head.classes
          ? ` ('${t.target}' has ${classes?.length ?? 0} labeled class(es)${classes?.length ? `: ${classes.join(', ')}` : ''}; label images with at least two)`
          : '';
      problems.push(`${path}.classes: a head needs at least two classes${why}`);
    }
    for (const name of Object.keys(head.classWeights ?? {})) {
      if (classes && !classes.includes(name)) problems.push(`${path}.classWeights.${name}: not a class of this head`);
    }
    return { spec: head, classes: classes ?? [], inputs: headInputs(spec, head) };
  });
  if (problems.length > 0) throw new SpecError(problems);
  return heads;
}
