import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RequestOf } from '../../../shared/api/contract.js';
import { api, uploadFile } from '../api';
import type { UploadItem } from '../uploads/collect';
import { useImportsStore } from './imports';

/** Files sent at once: enough to hide each request's round trip, few enough to keep order. */
const PARALLEL = 4;

/**
 * A browser upload (server mode): the files go to the server one request each with byte
 * progress, a file that fails is named and the rest go on, then the server imports what
 * arrived like a folder (the import's own progress and summary follow in the import panel).
 */
export const useUploadsStore = defineStore('uploads', () => {
  const running = ref(false);
  const files = ref(0);
  const filesDone = ref(0);
  const bytes = ref(0);
  const sent = ref(0);
  const current = ref('');
  const problems = ref<string[]>([]);
  const fraction = computed(() => (bytes.value > 0 ? sent.value / bytes.value : 0));

  /** `options`: how the import reads the files (labels from folder names, transcripts), as for a typed path. */
  async function upload(items: UploadItem[], readProblems: string[] = [], options: Omit<RequestOf<'imports', 'start'>, 'paths'> = {}): Promise<void> {
    if (running.value) return;
    problems.value = [...readProblems];
    if (items.length === 0) {
      if (problems.value.length === 0) problems.value = ['Nothing to upload: no files were chosen.'];
      return;
    }
    running.value = true;
    files.value = items.length;
    filesDone.value = 0;
    bytes.value = items.reduce((n, i) => n + i.file.size, 0);
    sent.value = 0;
    const imports = useImportsStore();
    try {
      const { uploadId } = await api.imports.beginUpload({});
      const sentBy = new Map<number, number>();
      let next = 0;
      let stored = 0;
      const worker = async () => {
        while (next < items.length) {
          const index = next++;
          const item = items[index]!;
          current.value = item.path;
          try {
            await uploadFile(uploadId, item.path, item.file, (n) => {
              sent.value += n - (sentBy.get(index) ?? 0);
              sentBy.set(index, n);
            });
            stored++;
          } catch (e) {
            problems.value.push((e as Error).message);
            // Its bytes count as done, so the bar still reaches the end.
            sent.value += item.file.size - (sentBy.get(index) ?? 0);
            sentBy.set(index, item.file.size);
          }
          filesDone.value++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
      current.value = '';
      if (stored > 0) await imports.startUpload(uploadId, options);
      else problems.value.push('No file arrived, so nothing was imported.');
    } catch (e) {
      problems.value.push((e as Error).message);
    } finally {
      running.value = false;
    }
  }

  return { running, files, filesDone, bytes, sent, current, problems, fraction, upload };
});
