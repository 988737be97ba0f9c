/**
 * `npm run bench:scale [-- --count N]` (issue 15): the engine at the size users work at.
 *
 * 1. Renders N synthetic house-number crops (default 100,000) and imports them with the
 *    normal importer: images/s over the first and the last 10%, database and thumbnail sizes.
 * 2. In a child process (its peak memory is the training's alone), trains two epochs of a
 *    small spec (scale-train.ts) the way a training job does — labels through the store, the
 *    split, the streaming pipeline — timing from the moment the child is started (as Start in
 *    the app starts a worker): seconds to the first step, images/s in the first epoch (which
 *    decodes in the background) and in the second (all from the pixel cache), the test split's
 *    evaluation, peak RSS. The child gets the heap limit a training job of N images gets.
 * 3. In another child, the in-memory pipeline of before issue 15 on at most 10,000 of the
 *    training examples (it decodes everything before its first step): its steady images/s.
 * 4. An extrapolation to 1,000,000 images from the measured per-image slopes, stated as such.
 *
 * Prints a table and writes bench/results/scale.json (and scale-N.json, so that runs at two
 * counts can be compared: the extrapolation uses the other run's figures where one exists).
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DB_FILE, Project } from '../electron/domain/project.js';
import { engineHeapLimitMB, heapLimitFlags } from '../electron/engine/heap-limit.js';
import { runImport } from '../electron/importer/importer.js';
import { synthesize } from '../electron/synth/generator.js';
import { repoRoot, runAsScript, writeResult } from './common.js';
import { scaleSummary, scaleTable, type ImportMeasure } from './scale-report.js';
import { trainChild, type TrainMeasure, type TrainRequest } from './scale-train.js';

const MB = 2 ** 20;

/** Bytes under a folder (recursively). */
function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * Renders `count` crops into `crops` — or finds them there from an earlier run with the same
 * count (`--crops DIR`: rendering is not what this benchmark measures, and on a busy machine
 * it takes as long as the rest together).
 */
async function render(crops: string, count: number, log: (line: string) => void): Promise<{ dirs: string[]; seconds: number | null }> {
  const done = path.join(crops, `rendered-${count}.json`);
  if (existsSync(done)) {
    const dirs = (JSON.parse(readFileSync(done, 'utf8')) as { dirs: string[] }).dirs;
    log(`using the ${count} crops rendered earlier in ${crops}`);
    return { dirs, seconds: null };
  }
  const t = performance.now();
  const synth = await synthesize({ out: path.join(crops, `synth-${count}`), kind: 'house-numbers', count, seed: 1 });
  const seconds = (performance.now() - t) / 1000;
  writeFileSync(done, JSON.stringify({ dirs: synth.dirs, seconds }));
  log(`rendered ${synth.written} crops in ${seconds.toFixed(0)} s`);
  return { dirs: synth.dirs, seconds };
}

/** Imports the rendered crops into a new project in `dir`. */
async function prepare(dir: string, synth: { dirs: string[]; seconds: number | null }, count: number): Promise<ImportMeasure> {
  let t = performance.now();
  const synthSeconds = synth.seconds;
  const dataDir = path.join(dir, 'project');
  const project = Project.open(dataDir);
  const marks: { done: number; at: number }[] = [];
  let peakRss = process.memoryUsage.rss();
  try {
    t = performance.now();
    const summary = await runImport(
      { store: project.store, dataDir: project.dataDir },
      {
        paths: synth.dirs,
        onProgress: (done) => {
          marks.push({ done, at: performance.now() });
          peakRss = Math.max(peakRss, process.memoryUsage.rss());
        },
      },
    );
    const seconds = (performance.now() - t) / 1000;
    const imported = summary.imported ?? count;
    // The pace over the first and the last 10% of the images, from the progress marks.
    const at = (done: number) => (marks.find((m) => m.done >= done)?.at ?? t + seconds * 1000) - t;
    const rate = (from: number, to: number) => ((to - from) * 1000) / Math.max(1, at(to) - at(from));
    const tenth = Math.floor(count / 10);
    // Thumbnails: in the images table (migration 1), or in a folder of their own if the importer keeps them there.
    const columns = project.store.db.prepare('PRAGMA table_info(images)').all() as { name: string }[];
    const inTable = columns.some((c) => c.name === 'thumbnail')
      ? ((project.store.db.prepare('SELECT COALESCE(SUM(length(thumbnail)), 0) AS n FROM images').get() as { n: number }).n ?? 0)
      : 0;
    project.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = ['', '-wal', '-shm'].reduce(
      (n, s) => n + (existsSync(path.join(dataDir, DB_FILE + s)) ? statSync(path.join(dataDir, DB_FILE + s)).size : 0),
      0,
    );
    return {
      dataDir,
      images: count,
      imported,
      rejected: summary.rejected.length,
      synthSeconds,
      importSeconds: seconds,
      importImagesPerSecond: count / seconds,
      importImagesPerSecondFirst10Percent: rate(0, tenth),
      importImagesPerSecondLast10Percent: rate(count - tenth, count),
      importPeakRssMB: peakRss / MB,
      databaseMB: dbBytes / MB,
      thumbnailsMB: (inTable + folderBytes(path.join(dataDir, 'thumbnails'))) / MB,
      imagesFolderMB: folderBytes(path.join(dataDir, 'images')) / MB,
    };
  } finally {
    project.close();
  }
}

/** Runs one training measure in a child process; returns it with the time the child was started. */
function inChild(request: TrainRequest, heapLimitMB: number): Promise<TrainMeasure & { forkedAt: number }> {
  return new Promise((resolve, reject) => {
    const forkedAt = Date.now();
    // The heap limit of a training job on this project, as the engine's hosts give it (engine/host.ts).
    const execArgv = [...process.execArgv, ...heapLimitFlags(heapLimitMB)];
    const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    child.send(request);
    child.on('message', (m: { result?: TrainMeasure; error?: string }) => {
      if (m.result) resolve({ ...m.result, forkedAt });
      if (m.error) reject(new Error(`${request.mode}: ${m.error}`));
    });
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`${request.mode}: child exited with ${code}`))));
  });
}

const args = () =>
  parseArgs({
    options: {
      count: { type: 'string' },
      'budget-mb': { type: 'string' },
      'memory-count': { type: 'string' },
      crops: { type: 'string' },
      'render-only': { type: 'boolean' },
      backend: { type: 'string' },
      child: { type: 'boolean' },
    },
  }).values;

async function main(): Promise<void> {
  const given = args();
  const count = Number(given.count ?? 100_000);
  const budgetMB = Number(given['budget-mb'] ?? 1024);
  const memoryCount = Number(given['memory-count'] ?? Math.min(count, 10_000));
  const backend = given.backend ?? 'wasm';
  const started = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'polyhead-scale-'));
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  try {
    log(`bench:scale: ${count} synthetic house-number crops, ${os.availableParallelism()} cores, backend ${backend}, pixel cache budget ${budgetMB} MB`);
    const crops = given.crops ? path.resolve(given.crops) : path.join(dir, 'crops');
    mkdirSync(crops, { recursive: true });
    const synth = await render(crops, count, log);
    if (given['render-only']) return;
    const imported = await prepare(dir, synth, count);
    log(`imported in ${imported.importSeconds.toFixed(0)} s (${imported.importImagesPerSecond.toFixed(0)} images/s)`);
    const heapLimitMB = engineHeapLimitMB(imported.imported);
    const stream = await inChild({ mode: 'stream', dataDir: imported.dataDir, cacheDir: path.join(dir, 'cache'), backend, budgetMB }, heapLimitMB);
    log(`streaming pipeline: 2 epochs and the test split's evaluation done (heap limit ${heapLimitMB} MB)`);
    const memory = await inChild(
      { mode: 'memory', dataDir: imported.dataDir, cacheDir: path.join(dir, 'cache-memory'), backend, budgetMB, limit: memoryCount },
      heapLimitMB,
    );
    log(`in-memory pipeline (${memory.trainExamples} examples): 1 epoch done`);
    const previousFile = readdirSync(path.join(repoRoot, 'bench', 'results'))
      .filter((f) => /^scale-\d+\.json$/.test(f) && f !== `scale-${count}.json`)
      .map((f) => path.join(repoRoot, 'bench', 'results', f))[0];
    const previous = previousFile ? (JSON.parse(readFileSync(previousFile, 'utf8')) as Record<string, number>) : undefined;
    const summary = scaleSummary(imported, stream, memory, budgetMB, previous, heapLimitMB);
    console.log(`\n${scaleTable(summary)}\n\n${((performance.now() - started) / 60000).toFixed(1)} min in all`);
    await writeResult('scale', summary);
    await writeResult(`scale-${count}`, summary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runAsScript('scale', () => (args().child ? trainChild() : main()));
