import { EventBus } from '../domain/event-bus.js';
import { Project, type NewProjectOptions } from '../domain/project.js';
import { runImport } from '../importer/importer.js';
import { specsDir } from '../platform/paths.js';
import { createDispatcher, createServices, type Dispatch, type ServiceImpl, type ServiceOptions } from '../services/index.js';

/** Everything a transport needs: the open project, its services, the dispatcher and the event bus. */
export interface Runtime {
  project: Project;
  events: EventBus;
  services: ServiceImpl;
  dispatch: Dispatch;
  close(): void;
}

/** Opens the project in `dataDir` (created if missing; `newProject` says what a new one starts with) with its services. */
export function openRuntime(dataDir: string, options: Partial<ServiceOptions> = {}, newProject: NewProjectOptions = {}): Runtime {
  const project = Project.open(dataDir, newProject);
  const events = new EventBus();
  const services = createServices(project, events, { specsDir, ...options });
  return { project, events, services, dispatch: createDispatcher(services), close: () => project.close() };
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
