import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { EventMessage } from '../shared/api/contract.js';
import { openRuntime, type Runtime } from '../electron/app/runtime.js';
import type { ServiceOptions } from '../electron/services/index.js';
import type { Store } from '../electron/store/store.js';
import { runImport } from '../electron/importer/importer.js';
import { sampleDir, tempDir } from './helpers.js';

export interface SampleRuntime {
  /** The open runtime (set in beforeAll). */
  readonly runtime: Runtime;
  /** The temporary folder holding the project (in data/). */
  readonly dir: string;
  /** Every event the services emitted, in order. */
  readonly messages: EventMessage[];
  /** Calls the API through the dispatcher, as IPC and HTTP do; a structured error becomes an exception. */
  call<T>(method: string, payload: unknown): Promise<T>;
}

/** A project in a temporary folder with the bundled sample imported, open for one test file's tests. */
export function useSampleRuntime(options: Partial<ServiceOptions> = {}): SampleRuntime {
  let runtime: Runtime | undefined;
  let dir = '';
  let cleanup = () => {};
  const messages: EventMessage[] = [];
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    runtime = openRuntime(path.join(dir, 'data'), options);
    await runImport({ store: runtime.project.store, dataDir: runtime.project.dataDir }, { paths: [sampleDir] });
    runtime.events.subscribe((m) => messages.push(m));
  });
  afterAll(() => {
    runtime?.close();
    cleanup();
  });
  return {
    get runtime() {
      if (!runtime) throw new Error('the sample runtime is opened in beforeAll');
      return runtime;
    },
    get dir() {
      return dir;
    },
    messages,
    async call<T>(method: string, payload: unknown): Promise<T> {
      const r = await this.runtime.dispatch(method, payload);
      if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
      return r.data as T;
    },
  };
}

/** A model's prediction of one class for one image, as `predict` stores it: a suggestion, not a label. */
export function writePrediction(
  store: Store,
  p: { imageId: number; targetId: number; classId: number; confidence: number | null; runId?: number | null },
): void {
  store.write(() =>
    store.annotations.upsert({
      imageId: p.imageId,
      targetId: p.targetId,
      source: 'model',
      origin: null,
      state: 'value',
      textValue: null,
      classId: p.classId,
      confidence: p.confidence,
      runId: p.runId ?? null,
      updatedAt: new Date().toISOString(),
    }),
  );
}
