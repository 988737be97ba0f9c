import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The application root: the nearest folder above this file whose package.json is Polyhead's (works from sources and from dist/). */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'polyhead') return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '../../../..');
  }
}

export const appRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const rendererDir = path.join(appRoot, 'dist', 'renderer');
export const resourcesDir = path.join(appRoot, 'resources');
export const sampleDir = path.join(resourcesDir, 'sample');
export const specsDir = path.join(resourcesDir, 'specs');
/** The compiled training worker (worker_threads cannot run TypeScript sources). */
export const trainingWorkerPath = path.join(appRoot, 'dist', 'node', 'electron', 'engine', 'worker.js');
/** The compiled decoding thread of the importer. */
export const decodeWorkerPath = path.join(appRoot, 'dist', 'node', 'electron', 'importer', 'decode-worker.js');
