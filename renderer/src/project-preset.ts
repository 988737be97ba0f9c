/**
 * A preset built from the open project's own targets, for projects no file preset fits (a
 * folder-per-class project: one categorical target): one head per categorical target with at
 * least two labeled classes, on one grayscale input and the conv trunk. Pure.
 */
import type { ProjectStats } from '../../shared/api/contract.js';
import { headSpecSchema } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';

/** Not a file: the key "Start from" uses for it among the file presets. */
export const PROJECT_PRESET = 'project:targets';

export function projectPreset(targets: TargetDef[], stats: ProjectStats | null): { file: string; spec: unknown } | null {
  if (!stats) return null;
  const heads = targets
    .filter((t) => t.kind === 'categorical')
    // A head needs two classes to tell apart, each with human labels to learn from.
    .filter((t) => (stats.targets.find((s) => s.targetId === t.id)?.classes.filter((c) => c.count > 0).length ?? 0) >= 2)
    .map((t) => ({ name: t.name, target: { kind: 'target', target: t.name } }))
    // A target whose name is no identifier ('my class') cannot be named by a spec.
    .filter((h) => headSpecSchema.safeParse(h).success);
  if (heads.length === 0) return null;
  return {
    file: PROJECT_PRESET,
    spec: {
      name: `this project's targets: ${heads.map((h) => h.name).join(', ')}`,
      description: 'One head per categorical target with at least two labeled classes, on a small conv trunk (SVHN-style).',
      inputs: [{ name: 'x', height: 64, width: 64, channels: 1 }],
      trunk: { preset: 'conv', depth: 3, width: 32, growth: 2, batchNorm: true, dense: 256 },
      heads,
      training: { epochs: 20, batchSize: 32, optimizer: 'adam', learningRate: 0.001, validation: 0.1, test: 0.1 },
    },
  };
}
