/**
 * What every benchmark script shares: the repository root (from bench/*.ts under vitest, or
 * from the bundle dist/bench/NAME.mjs that `npm run bench:*` runs), writing its results to
 * bench/results/NAME.json, and running its main only when it is the script node started.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.includes('/dist/') ? '../..' : '..');

/** Writes bench/results/NAME.json: the date, then `data`. */
export async function writeResult(name: string, data: object): Promise<void> {
  const dir = path.join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), JSON.stringify({ date: new Date().toISOString(), ...data }, null, 2));
}

/**
 * Runs `main` when node was started on this benchmark (NAME.ts, or its bundle NAME.mjs), not
 * when another script or a test imports it; a failure prints its stack and sets exit code 1.
 */
export function runAsScript(name: string, main: () => Promise<void>): void {
  const entry = process.argv[1];
  if (!entry || path.basename(entry).replace(/\.(mjs|js|ts)$/, '') !== name) return;
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    });
}
