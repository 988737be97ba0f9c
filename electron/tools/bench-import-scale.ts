/**
 * `npm run bench:import-scale -- FOLDER [LABEL]`: imports a folder of crops (e.g. written by
 * `polyhead synth --count 100000`) into a fresh project through the normal importer and says
 * whether the pace holds as the project grows: images/s over the first and the last 10% of
 * the items, the whole run, peak RSS, the database size and how much of it is thumbnails.
 * Appends its row to bench/results/import-scale.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Project, DB_FILE } from '../domain/project.js';
import { runImport } from '../importer/importer.js';

const RESULTS = 'bench/results/import-scale.json';

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Thumbnail bytes in the database, whichever layout it has (the thumbnails table, or the images column of schema 6 and before). */
function thumbnailBytes(project: Project): number {
  const db = project.store.db;
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'image_thumbnails'").get();
  const sql = hasTable ? 'SELECT coalesce(sum(length(data)), 0) FROM image_thumbnails' : 'SELECT coalesce(sum(length(thumbnail)), 0) FROM images';
  return db.prepare(sql).pluck().get() as number;
}

const rate = (items: number, ms: number) => Math.round((items / ms) * 1000);

async function main(): Promise<void> {
  const [folder, label = 'run'] = process.argv.slice(2);
  if (!folder) throw new Error('usage: bench-import-scale FOLDER [LABEL]');
  const work = await mkdtemp(path.join(os.tmpdir(), 'polyhead-bench-import-scale-'));
  try {
    const project = Project.open(path.join(work, 'project'));
    // When each item finished loading: the first and last 10% are timed from these.
    const at: number[] = [];
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const summary = await runImport(
      { store: project.store, dataDir: project.dataDir },
      { paths: [folder], onProgress: (done) => (at[done - 1] = performance.now()) },
    );
    const ms = performance.now() - started;
    // CPU time of every thread of the process (libuv's pool, the writer threads): less disturbed by a busy machine than wall time.
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    const n = at.length;
    const tenth = Math.max(1, Math.floor(n / 10));
    const firstMs = at[tenth - 1]! - started;
    const lastMs = at[n - 1]! - at[n - 1 - tenth]!;
    const thumbs = thumbnailBytes(project);
    project.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const dbFile = path.join(project.dataDir, DB_FILE);
    const databaseBytes = statSync(dbFile).size + (existsSync(`${dbFile}-wal`) ? statSync(`${dbFile}-wal`).size : 0);
    const imagesBytes = await folderBytes(path.join(project.dataDir, 'images'));
    project.close();
    const row = {
      label,
      date: new Date().toISOString(),
      cores: os.availableParallelism(),
      items: n,
      imported: summary.imported,
      duplicates: summary.duplicates,
      rejected: summary.rejected.length,
      seconds: +(ms / 1000).toFixed(1),
      imagesPerSecond: rate(summary.imported, ms),
      first10PercentImagesPerSecond: rate(tenth, firstMs),
      last10PercentImagesPerSecond: rate(tenth, lastMs),
      // Items loaded per second in each tenth of the run: flat when the pace holds as the project grows.
      perTenthItemsPerSecond: Array.from({ length: 10 }, (_, k) => {
        const from = k === 0 ? started : at[k * tenth - 1]!;
        return rate(tenth, at[Math.min(n, (k + 1) * tenth) - 1]! - from);
      }),
      cpuMsPerImage: +((cpu.user + cpu.system) / 1000 / Math.max(1, summary.imported)).toFixed(3),
      peakRssMB: Math.round(peakRss / 2 ** 20),
      databaseMB: +(databaseBytes / 2 ** 20).toFixed(1),
      thumbnailsMB: +(thumbs / 2 ** 20).toFixed(1),
      thumbnailShareOfDatabase: +(thumbs / databaseBytes).toFixed(3),
      storedImagesMB: +(imagesBytes / 2 ** 20).toFixed(1),
    };
    console.log(JSON.stringify(row, null, 2));
    await mkdir(path.dirname(RESULTS), { recursive: true });
    const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as unknown[]) : [];
    await writeFile(RESULTS, JSON.stringify([...previous, row], null, 2) + '\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
