import type { ImportSummary, ProjectStats } from '../../shared/api/contract.js';

export function formatImportSummary(summary: ImportSummary): string {
  const lines = [
    `imported:   ${summary.imported}`,
    `duplicates: ${summary.duplicates} (same content as an image already stored; skipped)`,
    `rejected:   ${summary.rejected.length}`,
    ...summary.rejected.map((r) => `  - ${r.item}: ${r.reason}`),
  ];
  if (summary.ignored.length > 0) {
    lines.push(`ignored:    ${summary.ignored.length} file(s) that are not images, label files or IDX files`);
    lines.push(...summary.ignored.slice(0, 20).map((f) => `  - ${f}`));
    if (summary.ignored.length > 20) lines.push(`  - … and ${summary.ignored.length - 20} more`);
  }
  lines.push(`labels:     ${summary.labelsApplied} applied`);
  if (summary.createdClasses.length > 0) lines.push(`new classes: ${summary.createdClasses.join(', ')}`);
  if (summary.labelProblems.length > 0) {
    lines.push(`label problems: ${summary.labelProblems.length}`);
    lines.push(...summary.labelProblems.slice(0, 50).map((p) => `  - ${p.item}: ${p.reason}`));
    if (summary.labelProblems.length > 50) lines.push(`  - … and ${summary.labelProblems.length - 50} more`);
  }
  lines.push(`time:       ${(summary.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

export function formatStats(stats: ProjectStats): string {
  const lines = [`images: ${stats.images}`, ''];
  for (const t of stats.targets) {
    lines.push(`${t.name} (${t.kind}): ${t.labeled} labeled, ${t.unknown} unknown, ${t.pending} not yet looked at`);
    if (t.lengths && t.lengths.length > 0) {
      lines.push(`  by length: ${t.lengths.map((l) => `${l.length}: ${l.count}`).join(', ')}`);
    }
    if (t.topValues && t.topValues.length > 0) {
      lines.push(`  most common: ${t.topValues.map((v) => `${v.value}: ${v.count}`).join(', ')}`);
    }
    for (const c of t.classes) lines.push(`  ${c.name.padEnd(14)} ${String(c.count).padStart(7)}`);
  }
  return lines.join('\n');
}
