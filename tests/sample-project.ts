import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Project } from '../electron/domain/project.js';
import { selectBackend, type BackendName } from '../electron/engine/backend.js';
import { runImport } from '../electron/importer/importer.js';
import { sampleDir, tempDir } from './helpers.js';

export interface ImportedSample {
  /** The open project (set in beforeAll). */
  readonly project: Project;
  /** The temporary folder holding the project (in data/). */
  readonly dir: string;
}

/**
 * The bundled sample imported into a project in a temporary folder, open for one test file's
 * tests, then TensorFlow.js on `backend` where one is named; closed and removed after them.
 * A file's own `beforeAll` hooks run after this one.
 */
export function useImportedSample(backend?: BackendName): ImportedSample {
  let project: Project | undefined;
  let dir: string | undefined;
  let cleanup = () => {};
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    project = Project.open(path.join(dir, 'data'));
    await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [sampleDir] });
    if (backend) await selectBackend(backend);
  });
  afterAll(() => {
    project?.close();
    cleanup();
  });
  return {
    get project() {
      if (!project) throw new Error('the imported sample is opened in beforeAll');
      return project;
    },
    get dir() {
      if (dir === undefined) throw new Error('the imported sample is made in beforeAll');
      return dir;
    },
  };
}
