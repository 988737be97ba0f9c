import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImportJob, ImportSummary } from '../../shared/api/contract.js';
import { invalidField, notFound } from '../../shared/errors.js';
import { UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES } from '../../shared/uploads.js';
import { beginUpload, existingUploadDir, removeUpload } from '../domain/uploads.js';
import { runImport } from '../importer/importer.js';
import { folderLabelTarget } from '../importer/folder-labels.js';
import { transcriptTarget } from '../importer/transcripts.js';
import type { ServiceContext } from './context.js';
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

  const service: ServiceImpl['imports'] = {
    start: async ({ paths, maxPixels, transcripts, labelFromFolder }) => {
      if (transcripts) transcriptTarget(store, transcripts); // refused before the job starts: no such sequence target
      // Refused before the job starts too: a folder rule naming a target that is not categorical.
      labelFromFolder?.forEach((rule, i) => folderLabelTarget(store, rule, `labelFromFolder.${i}.target`, false));
      const job: ImportJob = {
        jobId: randomUUID(),
        state: 'running',
        paths,
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
        { store, dataDir: project.dataDir },
        {
          paths,
          maxPixels,
          transcripts,
          signal: controller.signal,
          labelFromFolder,
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
      return { ...job };
    },
    status: async ({ jobId }) => ({ ...find(jobId) }),
    list: async () => [...jobs.values()].reverse().map((j) => ({ ...j, summary: preview(j.summary) })),
    cancel: async ({ jobId }) => {
      const job = find(jobId);
      controllers.get(jobId)?.abort();
      return { ...job };
    },
    beginUpload: async () => ({ uploadId: await beginUpload(project.dataDir), maxFileBytes: UPLOAD_MAX_FILE_BYTES, maxFiles: UPLOAD_MAX_FILES }),
    startUpload: async ({ uploadId, ...options }) => {
      const dir = await existingUploadDir(project.dataDir, uploadId);
      // Each file and folder chosen is imported as if its path were given: a folder's label
      // files name its images relative to that folder, as they do when importing it from disk.
      const chosen = (await readdir(dir)).sort().map((name) => path.join(dir, name));
      if (chosen.length === 0) throw invalidField('uploadId', `upload ${uploadId} has no files`);
      const job = await service.start({ paths: chosen, ...options });
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
