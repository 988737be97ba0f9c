/**
 * Engine jobs besides training (engine/runs.ts): prediction with a run, export of a run's
 * model and the backend probe. Each runs in its own worker (engine/host.ts: a thread, a
 * forked process or Electron's utilityProcess), never in the process that serves the API,
 * which does not load TensorFlow.js. The worker only reads; predictions arrive here a
 * batch at a time and are written one transaction per batch. A job resolves with its
 * result, or rejects with the worker's error message (or why the worker ended).
 */
import type { Project } from '../domain/project.js';
import type { Store } from '../store/store.js';
import type { BackendChoice } from './backend.js';
import { engineHeapLimitMB } from './heap-limit.js';
import { threadHost, type SpawnHost } from './host.js';
import type { ExportResult, FromWorker, JobKind, JobResultOf, PredictedLabel, WorkerJob } from './protocol.js';

export interface PredictSummary {
  runId: number;
  /** Images predicted. */
  images: number;
  /** Model labels written, by target name. */
  written: Record<string, number>;
  /** Classes the run predicts that the project no longer has: such predictions are not written. */
  missingClasses: { target: string; classes: string[] }[];
}

export interface PredictRunOptions {
  /** Predict for every image, not only those without a human label for the head's target. */
  all?: boolean;
  batchSize?: number;
  /** Force a backend (tensorflow-gpu, tensorflow, wasm, cpu). */
  backend?: string;
  /** After each batch is written. */
  onProgress?: (done: number, total: number) => void;
  /** Who asked for the predictions (recorded with each model label). */
  author?: string;
}

/**
 * Stores one batch of predictions as model-sourced annotations of a run, in one transaction,
 * counting them by target in `written`. Human labels are other rows: never touched.
 */
export function writePredictions(store: Store, runId: number, labels: PredictedLabel[], written: Record<string, number>, author: string | null = null): void {
  const now = new Date().toISOString();
  store.write(() => {
    for (const label of labels) {
      store.annotations.upsert({
        imageId: label.imageId,
        targetId: label.targetId,
        source: 'model',
        origin: null,
        state: 'value',
        textValue: label.textValue,
        classId: label.classId,
        confidence: label.confidence,
        runId,
        updatedAt: now,
        author,
      });
      written[label.target] = (written[label.target] ?? 0) + 1;
    }
  });
}

export class EngineJobs {
  constructor(
    private readonly project: Project,
    private readonly spawn: SpawnHost = threadHost,
  ) {}

  /** The backend a job would start here (or `backend`, forced), and why. */
  async probe(backend?: string): Promise<BackendChoice> {
    return (await this.run({ kind: 'probe', ...(backend ? { backend } : {}) })).choice;
  }

  /** Predicts with a run's last checkpoint and stores the predictions as model labels (never over human labels). */
  async predict(runId: number, options: PredictRunOptions = {}): Promise<PredictSummary> {
    const written: Record<string, number> = {};
    const { images, missingClasses } = await this.run(
      {
        kind: 'predict',
        dataDir: this.project.dataDir,
        runId,
        all: options.all ?? false,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.backend ? { backend: options.backend } : {}),
      },
      (message) => {
        if (message.type !== 'predictions') return;
        writePredictions(this.project.store, runId, message.labels, written, options.author ?? null);
        options.onProgress?.(message.done, message.total);
      },
    );
    return { runId, images, written, missingClasses };
  }

  /** Writes a run's model in TensorFlow.js layers format (model.json, weights.bin) and polyhead.json to `outDir`. */
  async export(runId: number, outDir: string): Promise<ExportResult> {
    return (await this.run({ kind: 'export', dataDir: this.project.dataDir, runId, outDir })).result;
  }

  /** Runs one job in a fresh worker and ends the worker when the job ends. */
  private run<K extends JobKind>(job: Extract<WorkerJob, { kind: K }>, onMessage?: (message: FromWorker) => void): Promise<JobResultOf<K>> {
    return new Promise((resolve, reject) => {
      const worker = this.spawn({ ...job, heapLimitMB: engineHeapLimitMB(this.project.store.images.count()) });
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        // A backend may keep a worker thread alive after its job: end it.
        void worker.terminate();
        outcome();
      };
      worker.onMessage((message) => {
        if (settled) return;
        try {
          if (message.type === 'error') settle(() => reject(new Error(message.message)));
          else if (message.type !== 'done') onMessage?.(message);
          else if (message.result.kind === job.kind) settle(() => resolve(message.result as JobResultOf<K>));
          else throw new Error(`the worker ran a ${message.result.kind} job instead of a ${job.kind} job`);
        } catch (error) {
          settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        }
      });
      worker.onExit((why) => settle(() => reject(new Error(`${why} before finishing its ${job.kind} job`))));
    });
  }
}
