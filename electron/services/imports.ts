import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { EventMessage, ImportJob, ImportSummary } from '../../shared/api/contract.js';
import { invalidField, notFound } from '../../shared/errors.js';
import { UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES } from '../../shared/uploads.js';
import { beginUpload, existingUploadDir, removeUpload } from '../domain/uploads.js';
import { runImport } from '../importer/importer.js';
import { recordedPath } from '../importer/upload-paths.js';
import { folderLabelTarget } from '../importer/folder-labels.js';
import { transcriptTarget } from '../importer/transcripts.js';
import { seesPaths, shownPath, shownText, type Caller } from './caller.js';
import type { ServiceContext } from './context.js';
import { checkImportPaths } from './import-roots.js';
import type { ServiceImpl } from './types.js';

/** Progress events at most this often per job (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 100;
/** Finished jobs kept for `status` and `list`; older ones are pruned (their reports stay with the import batch in the database). */
const KEEP_FINISHED_JOBS = 20;
/** What `list` shows of each job's problem lists; `status` gives the job's whole (bounded) report. */
const LIST_PREVIEW = 5;

/** A job's summary with each list cut to a preview: the totals say how many there are. */
function preview(summary: ImportSummary | null): ImportSummary | null {
  if (!summary) return null;
  return {
    ...summary,
    rejected: summary.rejected.slice(0, LIST_PREVIEW),
    ignored: summary.ignored.slice(0, LIST_PREVIEW),
    labelProblems: summary.labelProblems.slice(0, LIST_PREVIEW),
    duplicateItems: summary.duplicateItems.slice(0, LIST_PREVIEW),
  };
}

/** An import job as a caller may see it: server paths only for admins (others see them from their import root). */
export function shownJob(job: ImportJob, caller: Caller, dataDir: string): ImportJob {
  if (seesPaths(caller)) return { ...job };
  const text = (s: string) => shownText(s, caller, dataDir);
  const summary = job.summary && {
    ...job.summary,
    rejected: job.summary.rejected.map((r) => ({ item: text(r.item), reason: text(r.reason) })),
    ignored: job.summary.ignored.map(text),
    labelProblems: job.summary.labelProblems.map((r) => ({ ...r, item: text(r.item), reason: text(r.reason) })),
    duplicateItems: job.summary.duplicateItems.map((d) => ({ ...d, item: text(d.item), of: text(d.of) })),
  };
  return { ...job, paths: job.paths.map(text), summary, error: job.error && text(job.error) };
}

/** An event as a caller may see it (the server sends each client its own view). */
export function shownEvent(message: EventMessage, caller: Caller, dataDir: string): EventMessage {
  if (message.event === 'import.progress' || message.event === 'import.finished') {
    return { event: message.event, payload: shownJob(message.payload, caller, dataDir) };
  }
  if (message.event === 'export.progress')
    return { event: message.event, payload: { ...message.payload, out: shownPath(message.payload.out, caller, dataDir) } };
  return message;
}

export function importsService({ project, store, events }: ServiceContext): ServiceImpl['imports'] {
  const jobs = new Map<string, ImportJob>();
  const controllers = new Map<string, AbortController>();

  const prune = () => {
    const finished = [...jobs.values()].filter((j) => j.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_JOBS))) jobs.delete(job.jobId);
  };

  const find = (jobId: string) => {
    const job = jobs.get(jobId);
    if (!job) throw notFound(`Import job ${jobId}`);
    return job;
  };

  type StartRequest = Parameters<ServiceImpl['imports']['start']>[0];
  /** Starts an import of paths already checked against where the caller may read; its labels are the caller's. */
  /** `uploadDir`: the paths are an upload's (shown and recorded by their place in it, never the temporary folder). */
  const startJob = ({ paths, maxPixels, transcripts, labelFromFolder }: StartRequest, caller: Caller, uploadDir?: string): ImportJob => {
    const job: ImportJob = {
      jobId: randomUUID(),
      state: 'running',
      paths: paths.map(recordedPath(uploadDir)),
      done: 0,
      total: 0,
      startedAt: new Date().toISOString(),
      summary: null,
      error: null,
    };
    const controller = new AbortController();
    jobs.set(job.jobId, job);
    controllers.set(job.jobId, controller);
    let lastEmit = 0;
    runImport(
      { store, dataDir: project.dataDir, author: caller.user },
      {
        paths,
        maxPixels,
        transcripts,
        signal: controller.signal,
        labelFromFolder,
        uploadDir,
        onProgress: (done, total) => {
          job.done = done;
          job.total = total;
          const now = Date.now();
          if (now - lastEmit >= PROGRESS_INTERVAL_MS || done === total) {
            lastEmit = now;
            events.emit('import.progress', { ...job });
          }
        },
      },
    )
      .then(
        (summary) => {
          job.summary = summary;
          if (summary.stopped && controller.signal.aborted) job.state = 'cancelled';
          else if (summary.stopped) {
            // Stopped by the disk or the database: what was whole is kept, and the summary says so.
            job.state = 'failed';
            job.error = summary.stopped;
          } else job.state = 'finished';
        },
        (error: unknown) => {
          job.state = 'failed';
          job.error = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        controllers.delete(job.jobId);
        prune();
        events.emit('import.finished', { ...job });
      });
    return job;
  };

  /** Refuses, before a job starts, options naming what is not there: no such sequence target, a folder rule on a target that is not categorical. */
  const checkOptions = ({ transcripts, labelFromFolder }: Omit<StartRequest, 'paths'>) => {
    if (transcripts) transcriptTarget(store, transcripts);
    labelFromFolder?.forEach((rule, i) => folderLabelTarget(store, rule, `labelFromFolder.${i}.target`, false));
  };

  const service: ServiceImpl['imports'] = {
    start: async (req, caller) => {
      checkOptions(req);
      // A server reads only inside its import roots (symlinks resolved); the desktop app and the CLI read anything.
      const paths = await checkImportPaths(req.paths, caller.importRoots);
      return shownJob(startJob({ ...req, paths }, caller), caller, project.dataDir);
    },
    status: async ({ jobId }, caller) => shownJob(find(jobId), caller, project.dataDir),
    list: async (_req, caller) => [...jobs.values()].reverse().map((j) => shownJob({ ...j, summary: preview(j.summary) }, caller, project.dataDir)),
    cancel: async ({ jobId }, caller) => {
      const job = find(jobId);
      controllers.get(jobId)?.abort();
      return shownJob(job, caller, project.dataDir);
    },
    beginUpload: async () => ({ uploadId: await beginUpload(project.dataDir), maxFileBytes: UPLOAD_MAX_FILE_BYTES, maxFiles: UPLOAD_MAX_FILES }),
    startUpload: async ({ uploadId, ...options }, caller) => {
      const dir = await existingUploadDir(project.dataDir, uploadId);
      // Each file and folder chosen is imported as if its path were given: a folder's label
      // files name its images relative to that folder, as they do when importing it from disk.
      const chosen = (await readdir(dir)).sort().map((name) => path.join(dir, name));
      if (chosen.length === 0) throw invalidField('uploadId', `upload ${uploadId} has no files`);
      checkOptions(options);
      // The upload's own folder is the one root it may read, whatever the server's import roots.
      const paths = await checkImportPaths(chosen, caller.importRoots === null ? null : [dir]);
      const job = shownJob(startJob({ paths, ...options }, caller, dir), caller, project.dataDir);
      // Once imported the images live in the project; a failed import keeps its files (removed after a day).
      const stop = events.subscribe((message) => {
        if (message.event !== 'import.finished' || message.payload.jobId !== job.jobId) return;
        stop();
        if (message.payload.state === 'finished') void removeUpload(project.dataDir, uploadId).catch(() => undefined);
      });
      return job;
    },
  };
  return service;
}
