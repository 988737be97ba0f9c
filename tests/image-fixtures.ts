import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach } from 'vitest';
import type { ImportJob, ImportSummary } from '../shared/api/contract.js';
import { openRuntime, type Runtime } from '../electron/app/runtime.js';
import { tempDir } from './helpers.js';

/** Writes a small PNG whose pixels depend on `seed`, so every file has distinct content. */
export async function writeDistinctPng(file: string, seed: number, width = 24, height = 12): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 977 + ((seed * seed) % 13)) % 251;
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

/** Calls the API of a runtime through its dispatcher, as IPC and HTTP do; an error becomes an exception. */
export async function call<T>(runtime: Runtime, method: string, payload: unknown = {}): Promise<T> {
  const result = await runtime.dispatch(method, payload);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.data as T;
}

/** Opens a project in `dir` (created if missing) with its services. */
export const openProject = (dir: string): Runtime => openRuntime(dir);

/** Starts an import through the API and resolves with its summary once it has finished. */
export async function importThroughApi(runtime: Runtime, request: Record<string, unknown>): Promise<ImportSummary> {
  const finished = new Map<string, ImportJob>();
  let wanted: string | null = null;
  let resolve: (job: ImportJob) => void = () => {};
  const done = new Promise<ImportJob>((r) => (resolve = r));
  const stop = runtime.events.subscribe((m) => {
    if (m.event !== 'import.finished') return;
    finished.set(m.payload.jobId, m.payload);
    if (m.payload.jobId === wanted) resolve(m.payload);
  });
  try {
    const started = await call<ImportJob>(runtime, 'imports.start', request);
    wanted = started.jobId;
    const early = finished.get(started.jobId);
    const job = early ?? (await done);
    if (job.state !== 'finished' || !job.summary) throw new Error(`import failed: ${job.error}`);
    return job.summary;
  } finally {
    stop();
  }
}

/** A new, empty project in a temporary folder (DIR/data) for each test of the file, closed and removed after it. */
export function useTempProject(): { readonly dir: string; readonly runtime: Runtime } {
  let current: { dir: string; cleanup: () => void; runtime: Runtime } | undefined;
  beforeEach(() => {
    const { dir, cleanup } = tempDir();
    current = { dir, cleanup, runtime: openProject(path.join(dir, 'data')) };
  });
  afterEach(() => {
    current?.runtime.close();
    current?.cleanup();
  });
  return {
    get dir() {
      return current!.dir;
    },
    get runtime() {
      return current!.runtime;
    },
  };
}
