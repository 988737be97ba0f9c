/** The services behind the API, composed over one open project: one file per service. */
import type { EventBus } from '../domain/event-bus.js';
import type { Project } from '../domain/project.js';
import { annotationsService } from './annotations.js';
import { createContext, type ServiceOptions } from './context.js';
import { exportsService } from './exports.js';
import { imagesService } from './images.js';
import { importsService } from './imports.js';
import { projectService } from './project.js';
import { targetsService } from './targets.js';
import { trainingService } from './training.js';
import type { ServiceImpl } from './types.js';

export type { ServiceOptions } from './context.js';
export type { ServiceImpl } from './types.js';
export { createDispatcher, type AuditEntry, type Dispatch } from './dispatch.js';
export { localCaller, localUserName, type Caller } from './caller.js';
export { checkImportPaths, resolveImportRoots } from './import-roots.js';
export { shownEvent } from './imports.js';
export { watchOtherWriters } from './other-writers.js';
export { projectStats } from './project.js';

export function createServices(project: Project, events: EventBus, options: ServiceOptions): ServiceImpl {
  const context = createContext(project, events, options);
  return {
    project: projectService(context),
    targets: targetsService(context),
    images: imagesService(context),
    annotations: annotationsService(context),
    training: trainingService(context),
    imports: importsService(context),
    exports: exportsService(context),
  };
}
