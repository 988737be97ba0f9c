import { EventBus } from '../domain/event-bus.js';
import { Project, type NewProjectOptions } from '../domain/project.js';
import { runImport } from '../importer/importer.js';
import { cleanUpAfterKilledImports, type LeftoverCleanup } from '../importer/leftovers.js';
import { specsDir } from '../platform/paths.js';
import { createDispatcher, createServices, type Dispatch, type ServiceImpl, type ServiceOptions } from '../services/index.js';

/** Everything a transport needs: the open project, its services, the dispatcher and the event bus. */
export interface Runtime {
  project: Project;
  events: EventBus;
  services: ServiceImpl;
  dispatch: Dispatch;
  /** The clean-up after imports that were killed, started when the project opened (null if it failed; it is tried again before the next import). */
  leftovers: Promise<LeftoverCleanup | null>;
  close(): void;
}

/** Opens the project in `dataDir` (created if missing; `newProject` says what a new one starts with) with its services. */
export function openRuntime(dataDir: string, options: Partial<ServiceOptions> = {}, newProject: NewProjectOptions = {}): Runtime {
  const project = Project.open(dataDir, newProject);
  const events = new EventBus();
  const services = createServices(project, events, { specsDir, ...options });
  const leftovers = cleanUpAfterKilledImports(project.store, project.dataDir).then(
    (done) => {
      if (done.batches.length > 0)
        console.warn(`Cleaned up after interrupted import(s) ${done.batches.join(', ')}: ${done.removed.length} unfinished file(s) removed.`);
      return done;
    },
    (error: unknown) => {
      console.warn(`Could not clean up after an interrupted import: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    },
  );
  return { project, events, services, dispatch: createDispatcher(services), leftovers, close: () => project.close() };
}

/**
 * First start of a project: import the bundled sample (crops + labels) once, so the app
 * is never empty. Later starts, or a project that already has images, are left alone.
 */
export async function importSampleOnce(project: Project, sampleDir: string): Promise<boolean> {
  const { store } = project;
  if (store.setting<boolean>('sample.imported') || store.images.count() > 0) return false;
  const summary = await runImport({ store, dataDir: project.dataDir }, { paths: [sampleDir] });
  if (summary.imported === 0) throw new Error(`The bundled sample in ${sampleDir} imported nothing: ${JSON.stringify(summary.rejected.slice(0, 3))}`);
  store.write(() => store.putSetting('sample.imported', true));
  return true;
}
