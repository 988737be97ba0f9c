import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImportJob, RequestOf } from '../../../shared/api/contract.js';
import { api, onEvent } from '../api';

/** The running (or last) import: its progress from events and its summary. */
export const useImportsStore = defineStore('imports', () => {
  const job = ref<ImportJob | null>(null);
  const error = ref<string | null>(null);
  const finishedHandlers = new Set<(job: ImportJob) => void>();

  const running = computed(() => job.value?.state === 'running');
  const fraction = computed(() => (job.value && job.value.total > 0 ? job.value.done / job.value.total : 0));

  // Events can overtake the reply to start(): keep the newest state of every job seen.
  const latest = new Map<string, ImportJob>();
  const accept = (update: ImportJob) => {
    latest.set(update.jobId, update);
    if (job.value?.jobId === update.jobId) job.value = update;
  };
  onEvent('import.progress', accept);
  onEvent('import.finished', (update) => {
    accept(update);
    for (const handler of finishedHandlers) handler(update);
  });

  async function start(paths: string[], options: Omit<RequestOf<'imports', 'start'>, 'paths'> = {}): Promise<void> {
    error.value = null;
    try {
      const started = await api.imports.start({ paths, ...options });
      job.value = latest.get(started.jobId) ?? started;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Imports a browser upload (its files are already on the server). */
  async function startUpload(uploadId: string, options: Omit<RequestOf<'imports', 'start'>, 'paths'> = {}): Promise<void> {
    error.value = null;
    try {
      const started = await api.imports.startUpload({ uploadId, ...options });
      job.value = latest.get(started.jobId) ?? started;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Asks the running import to stop: no new file is taken, what was loaded is kept. */
  async function cancel(): Promise<void> {
    if (!job.value || job.value.state !== 'running') return;
    try {
      await api.imports.cancel({ jobId: job.value.jobId });
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  function onFinished(handler: (job: ImportJob) => void): () => void {
    finishedHandlers.add(handler);
    return () => finishedHandlers.delete(handler);
  }

  return { job, error, running, fraction, start, startUpload, cancel, onFinished };
});
