import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The application root: the folder holding package.json, dist/ and resources/ (this file is dist/node/electron/paths.js). */
export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const rendererDir = path.join(appRoot, 'dist', 'renderer');
export const resourcesDir = path.join(appRoot, 'resources');
export const sampleDir = path.join(resourcesDir, 'sample');
