/**
 * Where an export writes (a model, a dataset). A local caller (the desktop app, the CLI) writes
 * where it says; through a server only into the project's `exports/` folder — `out` is a folder
 * name there — never elsewhere on the server, symlinks included.
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { forbidden } from '../../shared/errors.js';
import type { Caller } from './caller.js';
import { isInside } from './import-roots.js';

export const EXPORTS_DIR = 'exports';

export async function exportDir(out: string, caller: Caller, dataDir: string, method: string): Promise<string> {
  if (caller.importRoots === null) return path.resolve(out);
  const base = path.join(dataDir, EXPORTS_DIR);
  const dir = path.resolve(base, out);
  if (!isInside(base, dir) || dir === base) {
    throw forbidden(`${method}: through the server, exports go into the project's ${EXPORTS_DIR}/ folder; give a folder name there, not '${out}'`);
  }
  await mkdir(base, { recursive: true });
  const realBase = await realpath(base);
  // The nearest folder of `dir` that exists, symlinks resolved, must still be inside exports/.
  for (let existing = dir; ; existing = path.dirname(existing)) {
    const real = await realpath(existing).catch(() => null);
    if (real === null) continue;
    if (!isInside(realBase, real)) throw forbidden(`${method}: '${out}' leaves the project's ${EXPORTS_DIR}/ folder`);
    return dir;
  }
}
