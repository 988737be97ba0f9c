import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImportJob } from '../../shared/api/contract.js';
import { invalidField, notFound } from '../../shared/errors.js';
import { UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES } from '../../shared/uploads.js';
import { beginUpload, existingUploadDir, removeUpload } from '../domain/uploads.js';
import { runImport } from '../importer/importer.js';
import { transcriptTarget } from '../importer/transcripts.js';
import type { ServiceContext } from './context.js';
import type { ServiceImpl } from './types.js';

/** Progress events at most this often per job (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 100;

export function importsService({ project, store, events }: ServiceContext): ServiceImpl['imports'] {
  const jobs = new Map<string, ImportJob>();
  const service: ServiceImpl['imports'] = {
    start: async ({ paths, maxPixels, transcripts }) => {
      if (transcripts) transcriptTarget(store, transcripts); // refused before the job starts: no such sequence target
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
      jobs.set(job.jobId, job);
      let lastEmit = 0;
      runImport(
        { store, dataDir: project.dataDir },
        {
          paths,
          maxPixels,
          transcripts,
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
      ).then(
        (summary) => {
          job.state = 'finished';
          job.summary = summary;
          events.emit('import.finished', { ...job });
        },
        (error: unknown) => {
          job.state = 'failed';
          job.error = error instanceof Error ? error.message : String(error);
          events.emit('import.finished', { ...job });
        },
      );
      return { ...job };
    },
    status: async ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) throw notFound(`Import job ${jobId}`);
      return { ...job };
    },
    list: async () => [...jobs.values()].map((j) => ({ ...j })),
    beginUpload: async () => ({ uploadId: await beginUpload(project.dataDir), maxFileBytes: UPLOAD_MAX_FILE_BYTES, maxFiles: UPLOAD_MAX_FILES }),
    startUpload: async ({ uploadId, maxPixels }) => {
      const dir = await existingUploadDir(project.dataDir, uploadId);
      // Each file and folder chosen is imported as if its path were given: a folder's label
      // files name its images relative to that folder, as they do when importing it from disk.
      const chosen = (await readdir(dir)).sort().map((name) => path.join(dir, name));
      if (chosen.length === 0) throw invalidField('uploadId', `upload ${uploadId} has no files`);
      const job = await service.start({ paths: chosen, maxPixels });
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
