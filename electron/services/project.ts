import type { ProjectStats, TargetStats } from '../../shared/api/contract.js';
import type { Store } from '../store/store.js';
import { shownPath } from './caller.js';
import type { ServiceContext } from './context.js';
import type { ServiceImpl } from './types.js';

/** Per-target counts of human labels: values, explicit unknowns, and images not looked at yet. */
export function projectStats(store: Store): ProjectStats {
  const images = store.images.count();
  const states = store.annotations.stateCounts();
  const classCounts = store.annotations.classCounts();
  const lengthCounts = store.annotations.lengthCounts();
  const targets: TargetStats[] = store.targets.list().map((t) => {
    const labeled = states.find((s) => s.target_id === t.id && s.state === 'value')?.n ?? 0;
    const unknown = states.find((s) => s.target_id === t.id && s.state === 'unknown')?.n ?? 0;
    const counts = new Map(classCounts.filter((c) => c.target_id === t.id).map((c) => [c.class_name, c.n]));
    const stats: TargetStats = {
      targetId: t.id,
      name: t.name,
      kind: t.kind,
      labeled,
      unknown,
      pending: images - labeled - unknown,
      classes: t.classes.map((c) => ({ name: c.name, count: counts.get(c.name) ?? 0 })),
    };
    if (t.kind === 'sequence') {
      stats.lengths = lengthCounts.filter((l) => l.target_id === t.id).map((l) => ({ length: l.len, count: l.n }));
      stats.topValues = store.annotations.topValues(t.id, 20).map((v) => ({ value: v.value, count: v.n }));
    }
    return stats;
  });
  return { images, targets };
}

export function projectService({ project, store }: ServiceContext): ServiceImpl['project'] {
  return {
    info: async (_req, caller) => ({
      name: store.setting<string>('project.name') ?? 'project',
      dataDir: shownPath(project.dataDir, caller, project.dataDir),
      schemaVersion: store.schemaVersion,
      imageCount: store.images.count(),
      createdAt: store.setting<string>('project.createdAt') ?? '',
      user: caller.user,
      role: caller.role,
      readOnly: caller.readOnly || store.readonly,
    }),
    stats: async () => store.read(() => projectStats(store)),
  };
}
