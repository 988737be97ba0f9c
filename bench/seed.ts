/**
 * The setup the 100,000-image benchmarks (grid, export) share: projects opened in a temporary
 * folder, and image rows and labels written straight into the store, far faster than an import.
 * The rows name files that do not exist: these benchmarks read rows, never pixels.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LabelSource } from '../shared/targets.js';
import { openRuntime, type Runtime } from '../electron/app/runtime.js';
import type { AnnotationWrite } from '../electron/store/annotations-repo.js';
import type { Store } from '../electron/store/store.js';

/** Opens one project per name in a new temporary folder (its subfolder NAME), runs `use`, then closes them and removes the folder. */
export async function withProjects<const Names extends readonly string[]>(
  prefix: string,
  names: Names,
  use: (runtimes: { [K in keyof Names]: Runtime }, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const runtimes = names.map((name) => openRuntime(path.join(dir, name))) as { [K in keyof Names]: Runtime };
  try {
    await use(runtimes, dir);
  } finally {
    for (const runtime of runtimes) runtime.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Image rows 0..count-1 of a 32×16 RGB PNG stored as images/bench/I.png, with the given hash and name; call inside `store.write`. */
export function insertImages(store: Store, count: number, image: (i: number) => { sha256: string; originalName: string }, importedAt: string): void {
  for (let i = 0; i < count; i++) {
    store.images.insert({
      ...image(i),
      storedPath: `images/bench/${i}.png`,
      originalPath: null,
      format: 'png',
      width: 32,
      height: 16,
      channels: 3,
      byteSize: 100,
      thumbnail: null,
      batchId: null,
      importedAt,
    });
  }
}

/** Writes a label (a value; no text, class, confidence, run or origin unless `fields` gives them) updated at `updatedAt`. */
export function labelWriter(store: Store, updatedAt: string) {
  return (imageId: number, targetId: number, source: LabelSource, fields: Partial<AnnotationWrite>): void => {
    store.annotations.upsert({
      imageId,
      targetId,
      source,
      state: 'value',
      textValue: null,
      classId: null,
      confidence: null,
      runId: null,
      updatedAt,
      origin: null,
      ...fields,
    });
  };
}
