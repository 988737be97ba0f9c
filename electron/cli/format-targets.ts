/** How `polyhead targets` prints a project's targets with their label counts. */
import type { ProjectStats } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';

/** What a target's values can be, in words: its classes, or its alphabet and length. */
function valuesOf(t: TargetDef, targets: TargetDef[]): string {
  if (t.kind === 'sequence') return `alphabet '${t.alphabet}' (${[...(t.alphabet ?? '')].length} characters), up to ${t.maxLength} positions modelled`;
  const classes = t.classes.map((c) => c.name).join(', ');
  if (t.kind === 'length') return `follows '${targets.find((x) => x.id === t.sourceTargetId)?.name ?? '?'}'; classes ${classes}`;
  return t.classes.length === 0 ? 'no classes yet' : `classes ${classes}`;
}

export function formatTargets(targets: TargetDef[], stats: ProjectStats): string {
  if (targets.length === 0) return 'no targets (add one with `polyhead targets add NAME --classes a,b,c` or `--alphabet CHARS --max-length N`)';
  const lines: string[] = [];
  for (const t of targets) {
    const s = stats.targets.find((x) => x.targetId === t.id);
    lines.push(`${t.name} (${t.kind}): ${valuesOf(t, targets)}`);
    if (s) lines.push(`  labels: ${s.labeled} value(s), ${s.unknown} unknown, ${s.pending} not looked at`);
    const counted = s?.classes.filter((c) => c.count > 0) ?? [];
    if (counted.length > 0) lines.push(`  by class: ${counted.map((c) => `${c.name} ${c.count}`).join(', ')}`);
  }
  return lines.join('\n');
}
