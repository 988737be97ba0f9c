import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const mnistDir = path.resolve(repoRoot, '..', 'shared', 'data', 'mnist');
export const sampleDir = path.join(repoRoot, 'resources', 'sample');

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'polyhead-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
