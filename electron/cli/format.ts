/** How the CLI prints what the API returns. */
import type { ImportSummary, ProjectStats, RunSummary, TrainingProgressEvent } from '../../shared/api/contract.js';
import type { EvaluationReport } from '../../shared/evaluation.js';
import { problemText, type ImportRemedy } from '../../shared/imports.js';

type TrainProgress = Omit<TrainingProgressEvent, 'runId'>;

/** The import options a problem points to, as the CLI offers them. */
const CLI_REMEDIES: Record<ImportRemedy, string> = { extendAlphabet: '--extend-alphabet adds them' };

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '   –  ' : `${(100 * x).toFixed(1).padStart(5)}%`);

export function formatEpoch(p: TrainProgress): string {
  const heads = Object.entries(p.heads)
    .map(([name, m]) => `${name} ${m.loss.toFixed(3)}${m.accuracy === null ? '' : `/${(100 * m.accuracy).toFixed(0)}%`}`)
    .join('  ');
  const valHeads = Object.entries(p.validation?.heads ?? {})
    .filter(([, m]) => m.accuracy !== null)
    .map(([name, m]) => `${name} ${(100 * m.accuracy!).toFixed(0)}%`)
    .join(' ');
  const val = p.validation ? `  | val loss ${p.validation.loss.toFixed(3)}${valHeads ? `  acc ${valHeads}` : ''}` : '';
  return `epoch ${String(p.epoch + 1).padStart(3)}/${p.epochs}  loss ${p.loss.toFixed(3)}  lr ${p.learningRate.toPrecision(2)}  ${heads}${val}  (${(p.elapsedMs / 1000).toFixed(1)} s)`;
}

/** The lines for images a run skipped as unreadable that `seen` has not printed yet (each named once, with its file and why). */
export function formatSkipped(p: TrainProgress, seen: Set<string>): string[] {
  const lines: string[] = [];
  for (const image of p.decoded?.skipped?.images ?? []) {
    if (seen.has(image.name)) continue;
    seen.add(image.name);
    lines.push(`skipped ${image.name}${image.file ? ` (${image.file})` : ''}: cannot be read: ${image.reason}`);
  }
  return lines;
}

/** One line redrawn per step: a bar, the epoch and step, the loss and the time left. */
export function formatStepBar(p: TrainProgress): string {
  const width = 24;
  const filled = Math.round((p.step / p.totalSteps) * width);
  const eta = p.etaMs === null ? '' : ` ETA ${Math.round(p.etaMs / 1000)}s`;
  const decoded = p.decoded && p.decoded.done < p.decoded.total ? ` decoded ${p.decoded.done}/${p.decoded.total}` : '';
  const skipped = p.decoded?.skipped ? ` skipped ${p.decoded.skipped.count} unreadable` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}${eta}${decoded}${skipped}   `;
}

export function formatRuns(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no training runs yet';
  return runs
    .map(
      (r) =>
        `${String(r.id).padStart(4)}  ${r.status.padEnd(9)}  epochs ${String(r.epochsDone).padStart(3)}  ${(r.backend ?? '').padEnd(14)}  ${r.name}${r.error ? `  (${r.error})` : ''}`,
    )
    .join('\n');
}

export function formatEvaluation(run: RunSummary, report: EvaluationReport, options: { matrices?: boolean } = {}): string {
  const lines = [`run ${run.id} (${run.name}), test split: ${report.count} examples, backend ${run.backend ?? '?'}`];
  if (report.epoch !== undefined)
    lines.push(
      `evaluated at epoch ${report.epoch} (${report.selectedBy === 'validation loss' ? 'lowest validation loss' : 'last epoch: no validation split'})`,
    );
  for (const w of report.warnings ?? []) lines.push(`warning${w.head ? ` (${w.head})` : ''}: ${w.message}`);
  lines.push('');
  const adversarial = report.heads.some((h) => h.chance !== undefined);
  lines.push('head'.padEnd(16) + 'accuracy'.padStart(9) + '   n'.padStart(7) + (adversarial ? '   chance' : ''));
  for (const h of report.heads) {
    lines.push(
      h.head.padEnd(16) +
        pct(h.accuracy).padStart(9) +
        String(h.count).padStart(7) +
        (h.chance === undefined ? '' : `   ${pct(h.chance)} (adversary vs chance)`),
    );
  }
  for (const s of report.sequences) {
    lines.push(
      `sequence ${s.target}: accuracy ${pct(s.accuracy)} over ${s.count}, coverage at 98% accuracy ${pct(s.coverageAt98)} (heads ${s.lengthHead} + ${s.digitHeads.join(', ')})`,
    );
  }
  if (options.matrices ?? true) {
    for (const h of report.heads) {
      lines.push('', `${h.head}: confusion (rows true, columns predicted)`);
      const w = Math.max(5, ...h.classes.map((c) => c.length + 1));
      lines.push(' '.repeat(w) + h.classes.map((c) => c.padStart(w)).join(''));
      h.confusion.forEach((row, i) => lines.push(h.classes[i]!.padStart(w) + row.map((n) => String(n).padStart(w)).join('')));
      lines.push('  ' + 'class'.padEnd(w) + 'precision'.padStart(10) + 'recall'.padStart(8) + 'support'.padStart(9));
      for (const c of h.perClass)
        lines.push(`  ${c.name.padEnd(w)}${pct(c.precision).padStart(10)}${pct(c.recall).padStart(8)}${String(c.support).padStart(9)}`);
    }
  }
  return lines.join('\n');
}

/** A list of the summary, its first `show` entries and how many more there are (the totals count every one). */
function listed<T>(items: T[], total: number, show: number, line: (item: T) => string): string[] {
  const lines = items.slice(0, show).map(line);
  if (total > lines.length) lines.push(`  - … and ${total - lines.length} more`);
  return lines;
}

export function formatImportSummary(summary: ImportSummary): string {
  const lines = [`imported:   ${summary.imported}`];
  if (summary.stopped) lines.push(`stopped:    ${summary.stopped}`);
  lines.push(`duplicates: ${summary.duplicates} (same content as an image already stored; skipped)`);
  lines.push(
    ...listed(summary.duplicateItems, summary.duplicates, 20, (d) => `  - ${d.item}: same as ${d.of}${d.imageId === null ? '' : ` (image ${d.imageId})`}`),
  );
  lines.push(`rejected:   ${summary.rejectedTotal}`);
  lines.push(...listed(summary.rejected, summary.rejectedTotal, 200, (r) => `  - ${r.item}: ${r.reason}`));
  if (summary.ignoredTotal > 0) {
    lines.push(`ignored:    ${summary.ignoredTotal} file(s) that are not images, label files or IDX files`);
    lines.push(...listed(summary.ignored, summary.ignoredTotal, 20, (f) => `  - ${f}`));
  }
  const t = summary.transcripts;
  if (t && t.target === null) {
    lines.push(`transcripts: ${t.files} OCR transcript(s) (NAME.gt.txt) found, not read: give --transcripts TARGET to label a sequence target with them`);
  } else if (t) {
    lines.push(`transcripts: ${t.matched} of ${t.files} read into '${t.target}'${t.alphabetAdded ? `; alphabet extended with '${t.alphabetAdded}'` : ''}`);
  }
  lines.push(`labels:     ${summary.labelsApplied} applied`);
  if (summary.createdClasses.length > 0) lines.push(`new classes: ${summary.createdClasses.join(', ')}`);
  if (summary.labelProblemsTotal > 0) {
    lines.push(`label problems: ${summary.labelProblemsTotal}`);
    lines.push(...listed(summary.labelProblems, summary.labelProblemsTotal, 50, (p) => `  - ${p.item}: ${problemText(p, CLI_REMEDIES)}`));
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
