/** Import jobs: cancelled from the API, pruned and summarised in `imports.list`; a killed import is cleaned up at the next start. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportJob } from '../../shared/api/contract.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { cleanUpAfterKilledImports } from '../../electron/importer/leftovers.js';
import { cli, cliPath } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup(), 60_000); // thousands of files to remove on a busy machine

async function crops(folder: string, count: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(32 * 24 * 3);
    for (let j = 0; j < data.length; j++) data[j] = (j * 7 + i * 131 + ((i * j) % 17)) % 256;
    await sharp(data, { raw: { width: 32, height: 24, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toFile(path.join(folder, `c${String(i).padStart(5, '0')}.png`));
  }
}

/** Every file under the project's images/, relative to its data folder. */
function storedFiles(data: string): string[] {
  return readdirSync(path.join(data, 'images'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(data, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function storedRows(data: string): string[] {
  const db = new Database(path.join(data, 'polyhead.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT stored_path FROM images').pluck().all() as string[]).sort();
  } finally {
    db.close();
  }
}

async function call<T>(runtime: Runtime, method: string, payload: unknown): Promise<T> {
  const r = await runtime.dispatch(method, payload);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.data as T;
}

function finished(runtime: Runtime, jobId: string): Promise<ImportJob> {
  return new Promise((resolve) => {
    const stop = runtime.events.subscribe((m) => {
      if (m.event === 'import.finished' && (m.payload as ImportJob).jobId === jobId) {
        stop();
        resolve(m.payload as ImportJob);
      }
    });
  });
}

describe('import jobs in the API', () => {
  it('imports.cancel stops a running import; its job says cancelled, with the summary of what was kept', async () => {
    await crops(path.join(dir, 'src'), 50);
    const runtime = openRuntime(path.join(dir, 'data'));
    try {
      const job = await call<ImportJob>(runtime, 'imports.start', { paths: [path.join(dir, 'src')] });
      const done = finished(runtime, job.jobId);
      await call(runtime, 'imports.cancel', { jobId: job.jobId });
      const end = await done;
      expect(end.state).toBe('cancelled');
      expect(end.summary!.stopped).toMatch(/^cancelled after \d+ of 50 items; what was loaded is kept$/);
      expect(runtime.project.store.images.count()).toBe(end.summary!.imported);
    } finally {
      runtime.close();
    }
  });

  it('imports.list keeps the last 20 finished jobs, each with counts and a few problems; status has the bounded report', async () => {
    const junk = path.join(dir, 'junk');
    mkdirSync(junk);
    for (let i = 0; i < 1200; i++) writeFileSync(path.join(junk, `notes-${i}.txt`), 'not an image');
    const runtime = openRuntime(path.join(dir, 'data'));
    try {
      let last: ImportJob | null = null;
      for (let i = 0; i < 22; i++) {
        const job = await call<ImportJob>(runtime, 'imports.start', { paths: [junk] });
        last = await finished(runtime, job.jobId);
      }
      const list = await call<ImportJob[]>(runtime, 'imports.list', {});
      expect(list).toHaveLength(20);
      expect(list[0]!.jobId).toBe(last!.jobId);
      expect(list[0]!.summary!.ignored).toHaveLength(5);
      expect(list[0]!.summary!.ignoredTotal).toBe(1200);
      expect(JSON.stringify(list).length).toBeLessThan(100_000);
      const status = await call<ImportJob>(runtime, 'imports.status', { jobId: last!.jobId });
      expect(status.summary!.ignored).toHaveLength(1000);
      expect(status.summary!.ignoredTotal).toBe(1200);
    } finally {
      runtime.close();
    }
  });
});

describe('a killed import', () => {
  it('leaves no orphan or partial file after the next start, and keeps what it committed (kill -9 of a child process)', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 2500);
    const data = path.join(dir, 'data');
    let orphans: string[] = [];
    // Killed while a batch is being written (files on disk, rows not yet committed); tried again if the kill landed between batches.
    for (let attempt = 0; attempt < 4 && orphans.length === 0; attempt++) {
      rmSync(data, { recursive: true, force: true });
      const child = spawn(process.execPath, [cliPath, 'import', '--data', data, src], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        if (child.exitCode !== null) break;
        let files: string[];
        let rows: string[];
        try {
          files = storedFiles(data);
          rows = storedRows(data);
        } catch {
          continue; // the project is still being created
        }
        if (rows.length > 0 && files.length > rows.length) {
          child.kill('SIGKILL');
          break;
        }
      }
      await exited;
      const rows = new Set(storedRows(data));
      orphans = storedFiles(data).filter((f) => !rows.has(f));
    }
    expect(orphans.length, 'the import was never caught with files written and rows not committed').toBeGreaterThan(0);
    const kept = storedRows(data);

    const next = cli(['init', '--data', data]); // the next start that may write (reading commands open read-only)
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/Cleaned up after interrupted import\(s\) 1: \d+ unfinished file\(s\) removed\./);
    expect(storedFiles(data)).toEqual(kept);
    expect(storedRows(data)).toEqual(kept);
    const db = new Database(path.join(data, 'polyhead.sqlite'), { readonly: true });
    const batch = db.prepare('SELECT finished_at, report FROM import_batches WHERE id = 1').get() as { finished_at: string | null; report: string };
    db.close();
    expect(batch.finished_at).not.toBeNull();
    expect(JSON.parse(batch.report).stopped).toMatch(/^interrupted: /);

    const again = cli(['import', '--data', data, src, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary.imported + summary.duplicates).toBe(2500);
    expect(storedFiles(data)).toEqual(storedRows(data));
  }, 240_000);

  it('Ctrl+C in `polyhead import` cancels: what was loaded is kept, the summary printed, exit code 130', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 1500);
    const data = path.join(dir, 'data');
    const child = spawn(process.execPath, [cliPath, 'import', '--data', data, src], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Interrupted once the first batch is on disk (1,024 images), before the last one is loaded.
    while (child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 20));
      const files = (() => {
        try {
          return storedFiles(data).length;
        } catch {
          return 0;
        }
      })();
      if (files > 0) {
        child.kill('SIGINT');
        break;
      }
    }
    expect(await exited).toBe(130);
    expect(stdout).toMatch(/stopped: {4}cancelled after \d+ of 1500 items; what was loaded is kept/);
    const imported = Number(/imported: +(\d+)/.exec(stdout)![1]);
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(1500);
    expect(storedRows(data)).toHaveLength(imported);
    expect(storedFiles(data)).toEqual(storedRows(data));
  }, 120_000);

  it('is not cleaned up while its process still runs', async () => {
    const runtime = openRuntime(path.join(dir, 'data'));
    try {
      await runtime.leftovers;
      const { store, dataDir } = runtime.project;
      const orphan = path.join(dataDir, 'images', 'ab', `${'ab'.repeat(32)}.png`);
      mkdirSync(path.dirname(orphan), { recursive: true });
      // Live: this process. Then dead: a process that has exited.
      const alive = store.startBatch(['x'], `${os.hostname()}:${process.pid}`);
      writeFileSync(orphan, 'x');
      expect(await cleanUpAfterKilledImports(store, dataDir)).toEqual({ batches: [], removed: [] });
      store.finishBatch(alive, { imported: 0, duplicates: 0, rejected: 0, report: {} });
      const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
      const batch = store.startBatch(['y'], `${os.hostname()}:${dead}`);
      await new Promise((r) => setTimeout(r, 10));
      expect(await cleanUpAfterKilledImports(store, dataDir)).toEqual({ batches: [batch], removed: [`images/ab/${'ab'.repeat(32)}.png`] });
    } finally {
      runtime.close();
    }
  });
});
