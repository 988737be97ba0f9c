import type { EventBus } from '../domain/event-bus.js';
import { HumanEdits } from '../domain/edits.js';
import type { Project } from '../domain/project.js';
import type { SpawnHost } from '../engine/host.js';
import { EngineJobs } from '../engine/jobs.js';
import { TrainingRuns } from '../engine/runs.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';

/** The services behind the API, over one open project. */
export interface ServiceOptions {
  /** Where training runs and the other engine jobs (predict, export, backend probe) execute (default: worker threads; the desktop app uses Electron's utilityProcess). */
  trainingHost?: SpawnHost;
  /** The folder of example model specs (training.specs). */
  specsDir: string;
}

/** What every service works on: one project, its event bus, the human edit log (per caller), the training runs and the other engine jobs. */
export interface ServiceContext {
  project: Project;
  store: Store;
  events: EventBus;
  /** Human labeling as the caller (their undo history, their name on what they write). */
  editsFor(caller: Caller): HumanEdits;
  training: TrainingRuns;
  jobs: EngineJobs;
  options: ServiceOptions;
}

export function createContext(project: Project, events: EventBus, options: ServiceOptions): ServiceContext {
  return {
    project,
    store: project.store,
    events,
    editsFor: (caller) => new HumanEdits(project.store, caller.user),
    training: new TrainingRuns(project, options.trainingHost),
    jobs: new EngineJobs(project, options.trainingHost),
    options,
  };
}
