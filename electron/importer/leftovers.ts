import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Store, UnfinishedBatch } from '../store/store.js';
import { PARTIAL_SUFFIX } from './stored-files.js';
import { boundSummary, emptySummary } from './summary.js';

/** Who runs an import: recorded with its batch, so that the next start can tell whether it still runs. */
export function importOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** Whether the process that owns a batch may still be running (another host's: assumed so). */
function ownerAlive(owner: string | null): boolean {
  if (owner === null) return false; // written before owners were recorded: no such import runs now
  const at = owner.lastIndexOf(':');
  if (owner.slice(0, at) !== os.hostname()) return true;
  try {
    process.kill(Number(owner.slice(at + 1)), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LeftoverCleanup {
  /** Import batches whose process had died, now marked as interrupted. */
  batches: number[];
  /** Files removed, relative to the data folder: partial writes and stored copies no row names. */
  removed: string[];
}

/**
 * Cleans up after imports that were killed (kill -9, a crash, a power cut): their partial
 * files and the stored copies whose rows never committed are removed, and their batches are
 * marked interrupted with what they did import. Runs when a project opens and before each
 * import; does nothing while any import of the project may still be running (its files are not
 * yet committed), nor to files newer than this call or older than the killed import.
 */
export async function cleanUpAfterKilledImports(store: Store, dataDir: string): Promise<LeftoverCleanup> {
  const started = Date.now();
  const unfinished = store.unfinishedBatches();
  if (unfinished.length === 0 || unfinished.some((b) => ownerAlive(b.owner))) return { batches: [], removed: [] };
  const since = Math.min(...unfinished.map((b) => Date.parse(b.startedAt))) - 2000; // mtime granularity
  const removed: string[] = [];
  const imagesDir = path.join(dataDir, 'images');
  for (const sub of await readdir(imagesDir, { withFileTypes: true }).catch(() => [])) {
    if (!sub.isDirectory()) continue;
    for (const name of await readdir(path.join(imagesDir, sub.name)).catch(() => [] as string[])) {
      const relative = `images/${sub.name}/${name}`;
      const full = path.join(dataDir, relative);
      const info = await stat(full).catch(() => null);
      if (!info?.isFile() || info.mtimeMs >= started || info.mtimeMs < since) continue;
      if (name.endsWith(PARTIAL_SUFFIX) || !isStored(store, name, relative)) {
        await rm(full, { force: true });
        removed.push(relative);
      }
    }
  }
  markInterrupted(store, unfinished, removed.length);
  return { batches: unfinished.map((b) => b.id), removed };
}

/** Whether a row names this stored copy (its name is its content hash). */
function isStored(store: Store, name: string, relative: string): boolean {
  const hash = name.split('.')[0]!;
  const id = store.images.idByHash(hash);
  return id !== undefined && store.images.get(id)?.stored_path === relative;
}

function markInterrupted(store: Store, batches: UnfinishedBatch[], removed: number): void {
  store.write(() => {
    for (const batch of batches) {
      const summary = emptySummary();
      summary.imported = batch.imported;
      summary.stopped = `interrupted: the process importing ended before the import finished; ${batch.imported} image(s) it stored are kept, ${removed} unfinished file(s) were removed at the next start`;
      boundSummary(summary);
      store.finishBatch(batch.id, { imported: batch.imported, duplicates: 0, rejected: 0, report: summary });
    }
  });
}
