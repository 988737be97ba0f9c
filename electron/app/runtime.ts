import { EventBus } from '../domain/event-bus.js';
import { Project, type NewProjectOptions, type ProjectOpenOptions } from '../domain/project.js';
import { runImport } from '../importer/importer.js';
import { cleanUpAfterKilledImports, type LeftoverCleanup } from '../importer/leftovers.js';
import { specsDir } from '../platform/paths.js';
import {
  createDispatcher,
  createServices,
  localCaller,
  type AuditEntry,
  type Caller,
  type Dispatch,
  type ServiceImpl,
  type ServiceOptions,
} from '../services/index.js';

/** Everything a transport needs: the open project, its services, the dispatcher and the event bus. */
export interface Runtime {
  project: Project;
  events: EventBus;
  services: ServiceImpl;
  /** Calls a method as the given caller, or as the local user (desktop app, CLI). */
  dispatch: Dispatch;
  /** The clean-up after imports that were killed, started when the project opened (null if it failed; it is tried again before the next import). */
  leftovers: Promise<LeftoverCleanup | null>;
  /** Who the desktop app and the CLI act as: the operating system's user, an admin. */
  local: Caller;
  close(): void;
}

export interface RuntimeOptions extends Partial<ServiceOptions>, Omit<ProjectOpenOptions, 'defaultTargets'> {}

/** Opens the project in `dataDir` (created if missing; `newProject` says what a new one starts with) with its services. */
export function openRuntime(dataDir: string, options: RuntimeOptions = {}, newProject: NewProjectOptions = {}): Runtime {
  const { mode, check, ...serviceOptions } = options;
  const project = Project.open(dataDir, { ...newProject, mode, check });
  const events = new EventBus();
  const services = createServices(project, events, { specsDir, ...serviceOptions });
  // A read-only open (a reading command) changes nothing: the next writing open cleans up.
  const cleanUp = project.store.readonly ? Promise.resolve(null) : cleanUpAfterKilledImports(project.store, project.dataDir);
  const leftovers = cleanUp.then(
    (done) => {
      if (done && done.batches.length > 0)
        console.warn(`Cleaned up after interrupted import(s) ${done.batches.join(', ')}: ${done.removed.length} unfinished file(s) removed.`);
      return done;
    },
    (error: unknown) => {
      console.warn(`Could not clean up after an interrupted import: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    },
  );
  const local = localCaller();
  const audit = auditLog(project);
  const dispatch = createDispatcher(services, { caller: local, audit: audit.add });
  return {
    project,
    events,
    services,
    dispatch,
    local,
    leftovers,
    close: () => {
      audit.flush();
      project.close();
    },
  };
}

/**
 * Who changed what, kept with the project. Entries are written a quarter second after the
 * change, many in one transaction: a label written alone costs one disk sync, not two. (A
 * crash in that quarter second loses the entry, never the change, whose author the history
 * and the annotation keep too.) A read-only open changes nothing, so records nothing.
 */
function auditLog(project: Project): { add: (entry: AuditEntry) => void; flush: () => void } {
  const { store } = project;
  let pending: AuditEntry[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const entries = pending;
    pending = [];
    if (entries.length === 0 || store.readonly || !store.db.open) return;
    try {
      store.write(() => {
        for (const e of entries) store.audit.record(e.user, e.action, e.outcome, e.detail);
      });
    } catch (error) {
      console.error(`polyhead: ${entries.length} audit entries could not be written: ${(error as Error).message}`);
    }
  };
  const add = (entry: AuditEntry) => {
    pending.push(entry);
    if (pending.length >= 500) flush();
    else timer ??= setTimeout(flush, 250);
  };
  return { add, flush };
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
