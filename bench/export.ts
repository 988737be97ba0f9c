/**
 * `npm run bench:export`: labels out and back in at 100,000 images. A project is seeded with
 * COUNT images (half with a human font_style, a quarter with typed digits and their derived
 * length, a quarter with a model prediction of script), exported through exports.labels page
 * by page as the CLI does (rows/s, peak RSS), then the CSV alone is imported into a second
 * project holding the same images (matched by sha256) and the per-target counts compared.
 * Writes bench/results/export.json.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { buildClient } from '../shared/api/contract.js';
import { eachLabelPage } from '../shared/api/export-pages.js';
import type { Runtime } from '../electron/app/runtime.js';
import { runImport } from '../electron/importer/importer.js';
import { projectStats } from '../electron/services/index.js';
import { runAsScript, writeResult } from './common.js';
import { insertImages, labelWriter, withProjects } from './seed.js';

const COUNT = Number(process.argv[2] ?? 100_000);

/** The same images (and, with labels, the same labels) in any project. */
function seed(runtime: Runtime, labels: boolean): void {
  const { store } = runtime.project;
  const font = store.targets.byName('font_style')!;
  const script = store.targets.byName('script')!;
  const digits = store.targets.byName('digits')!;
  const length = store.targets.byName('length')!;
  const now = new Date().toISOString();
  const upsert = labelWriter(store, now);
  store.write(() => {
    insertImages(store, COUNT, (i) => ({ sha256: `bench${String(i).padStart(59, '0')}`, originalName: `folder-${i % 100}/crop-${i}.png` }), now);
    if (!labels) return;
    for (let id = 1; id <= COUNT; id++) {
      if (id % 2 === 0) upsert(id, font.id, 'human', { origin: 'typed', classId: font.classes[id % font.classes.length]!.id });
      if (id % 4 === 1) {
        const value = String(id % 1000);
        upsert(id, digits.id, 'human', { origin: 'typed', textValue: value });
        upsert(id, length.id, 'human', { origin: 'derived', classId: length.classes.find((c) => c.name === String(value.length))!.id });
      }
      if (id % 4 === 3) upsert(id, script.id, 'model', { classId: script.classes[id % script.classes.length]!.id, confidence: (id % 997) / 997, runId: 1 });
    }
  });
}

async function main(): Promise<void> {
  await withProjects('polyhead-bench-export-', ['source', 'target'], async ([source, target], dir) => {
    seed(source, true);
    seed(target, false);
    const api = buildClient(async (method, payload) => {
      const result = await source.dispatch(method, payload);
      if (!result.ok) throw new Error(result.error.message);
      return result.data;
    });
    const file = path.join(dir, 'labels.csv');
    const out = createWriteStream(file);
    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const started = performance.now();
    const { rows } = await eachLabelPage(api, { format: 'csv', predictions: true }, async (page) => {
      if (!out.write(page.text)) await new Promise<void>((r) => out.once('drain', () => r()));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    });
    out.end();
    await finished(out);
    const exportMs = performance.now() - started;
    const bytes = (await stat(file)).size;
    console.log(
      `export: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${(exportMs / 1000).toFixed(1)} s; RSS ${(rssBefore / 1e6).toFixed(0)} → peak ${(peakRss / 1e6).toFixed(0)} MB`,
    );

    const importStarted = performance.now();
    const summary = await runImport({ store: target.project.store, dataDir: target.project.dataDir }, { paths: [file] });
    const importMs = performance.now() - importStarted;
    const counts = (rt: Runtime) =>
      projectStats(rt.project.store).targets.map((t) => ({ name: t.name, labeled: t.labeled, unknown: t.unknown, classes: t.classes }));
    const same = JSON.stringify(counts(source)) === JSON.stringify(counts(target));
    const models = (rt: Runtime) => rt.project.store.db.prepare("SELECT count(*) AS n FROM annotations WHERE source = 'model'").get() as { n: number };
    console.log(
      `import of the CSV alone onto the same images: ${summary.labelsApplied} labels in ${(importMs / 1000).toFixed(1)} s; human counts identical: ${same}; model labels ${models(source).n} → ${models(target).n}; problems: ${summary.labelProblems.map((p) => p.reason).join(' | ') || 'none'}`,
    );
    await writeResult('export', {
      images: COUNT,
      machine: `${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
      export: {
        rows,
        megabytes: Math.round(bytes / 1e5) / 10,
        seconds: Math.round(exportMs / 100) / 10,
        rowsPerSecond: Math.round(rows / (exportMs / 1000)),
        rssBeforeMB: Math.round(rssBefore / 1e6),
        peakRssMB: Math.round(peakRss / 1e6),
      },
      importBack: {
        labelsApplied: summary.labelsApplied,
        seconds: Math.round(importMs / 100) / 10,
        humanCountsIdentical: same,
        modelLabels: { source: models(source).n, imported: models(target).n },
        problems: summary.labelProblems,
      },
    });
    if (!same) process.exitCode = 1;
  });
}

runAsScript('export', main);
