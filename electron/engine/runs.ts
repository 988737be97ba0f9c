/**
 * Training runs, owned by the main process (or the CLI): each run is a row in the store and
 * a worker thread. Progress, checkpoints and the final evaluation arrive as messages and are
 * written here, one transaction each. A run whose worker died resumes from its last checkpoint.
 */
import path from 'node:path';
import { parseModelSpec, type ModelSpec } from '../../shared/model-spec.js';
import type { Project } from '../domain/project.js';
import type { MetricRow, RunRow } from '../store/runs-repo.js';
import { threadHost, type SpawnHost, type TrainingHost } from './host.js';
import type { FromWorker, SplitIds, ToWorker, TrainJob } from './protocol.js';
import type { TrainProgress } from './trainer.js';

export interface RunHandle {
  runId: number;
  worker: TrainingHost;
  /** Resolves with the run's final row, whatever the outcome. */
  done: Promise<RunRow>;
  control(message: ToWorker['type']): void;
}

export interface RunOptions {
  name?: string;
  /** Force a backend (tensorflow-gpu, tensorflow, wasm, cpu). */
  backend?: string;
  onMessage?: (message: FromWorker) => void;
}

function progressRows(p: TrainProgress): MetricRow[] {
  const rows: MetricRow[] = [{ epoch: p.epoch, step: p.step, split: 'train', head: '', metric: 'loss', value: p.loss }];
  for (const [head, m] of Object.entries(p.heads)) {
    rows.push({ epoch: p.epoch, step: p.step, split: 'train', head, metric: 'loss', value: m.loss });
    if (m.accuracy !== null) rows.push({ epoch: p.epoch, step: p.step, split: 'train', head, metric: 'accuracy', value: m.accuracy });
    if (m.lambda !== undefined) rows.push({ epoch: p.epoch, step: p.step, split: 'train', head, metric: 'lambda', value: m.lambda });
  }
  if (p.kind === 'epoch') {
    rows.push({ epoch: p.epoch, step: p.step, split: 'train', head: '', metric: 'learning_rate', value: p.learningRate });
    if (p.validation) {
      rows.push({ epoch: p.epoch, step: p.step, split: 'val', head: '', metric: 'loss', value: p.validation.loss });
      for (const [head, m] of Object.entries(p.validation.heads)) {
        rows.push({ epoch: p.epoch, step: p.step, split: 'val', head, metric: 'loss', value: m.loss });
        if (m.accuracy !== null) rows.push({ epoch: p.epoch, step: p.step, split: 'val', head, metric: 'accuracy', value: m.accuracy });
      }
    }
  }
  return rows.map((r) => ({ ...r, metric: p.kind === 'step' ? `step_${r.metric}` : r.metric }));
}

export class TrainingRuns {
  private readonly active = new Map<number, RunHandle>();

  constructor(
    private readonly project: Project,
    private readonly spawn: SpawnHost = threadHost,
  ) {}

  /** Validates a spec (errors name the field) and starts a new run. */
  start(specInput: unknown, options: RunOptions = {}): RunHandle {
    const parsed = parseModelSpec(specInput);
    if (!parsed.ok) throw new Error(`Invalid model spec:\n  ${parsed.errors.join('\n  ')}`);
    const spec = parsed.spec;
    const runId = this.project.store.runs.create(options.name ?? spec.name, spec, spec.training.seed);
    return this.launch(runId, spec, options);
  }

  /** Continues a run that stopped (crash, kill, cancel) from its latest checkpoint. */
  resume(runId: number, options: RunOptions = {}): RunHandle {
    const run = this.project.store.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    if (run.status === 'completed') throw new Error(`run ${runId} is already completed`);
    if (this.active.has(runId)) throw new Error(`run ${runId} is running`);
    const spec = JSON.parse(run.spec) as ModelSpec;
    const checkpoint = this.project.store.runs.latestCheckpoint(runId);
    const split = run.split ? (JSON.parse(run.split) as SplitIds) : undefined;
    return this.launch(runId, spec, options, checkpoint ? { resumeFrom: checkpoint.path, split } : { split });
  }

  get(runId: number): RunHandle | undefined {
    return this.active.get(runId);
  }

  private launch(runId: number, spec: ModelSpec, options: RunOptions, from: Partial<Pick<TrainJob, 'resumeFrom' | 'split'>> = {}): RunHandle {
    const { runs } = this.project.store;
    const job: TrainJob = {
      kind: 'train',
      dataDir: this.project.dataDir,
      runId,
      spec,
      checkpointDir: path.join(this.project.dataDir, 'runs', String(runId), 'checkpoints'),
      ...from,
      ...(options.backend ? { backend: options.backend } : {}),
    };
    const worker = this.spawn(job);
    let finished = false;
    const done = new Promise<RunRow>((resolve) => {
      const finish = (status: 'completed' | 'failed' | 'cancelled', error: string | null) => {
        if (finished) return;
        finished = true;
        runs.setStatus(runId, status, error);
        this.active.delete(runId);
        // The worker's backend may keep its thread alive after the run: end it.
        void worker.terminate();
        resolve(runs.get(runId)!);
      };
      worker.onMessage((message: FromWorker) => {
        try {
          switch (message.type) {
            case 'backend':
              runs.started(runId, message.choice.name, message.choice.reason);
              break;
            case 'split':
              runs.setSplit(runId, message.split);
              break;
            case 'progress':
              runs.addMetrics(
                runId,
                progressRows(message.progress),
                message.progress.kind === 'epoch' ? message.progress.epoch + 1 : message.progress.epoch,
                message.progress.step,
              );
              break;
            case 'checkpoint':
              runs.addCheckpoint(runId, message.epoch, message.step, message.dir);
              break;
            case 'evaluation': {
              const e = message.evaluation;
              runs.saveEvaluation(runId, 'test', e);
              const rows: MetricRow[] = [];
              const last = { epoch: spec.training.epochs, step: 0, split: 'test' as const };
              for (const h of e.heads) {
                if (h.accuracy !== null) rows.push({ ...last, head: h.head, metric: 'accuracy', value: h.accuracy });
                if (h.chance !== undefined) rows.push({ ...last, head: h.head, metric: 'chance', value: h.chance });
              }
              for (const s of e.sequences) {
                if (s.accuracy !== null) rows.push({ ...last, head: `sequence:${s.target}`, metric: 'accuracy', value: s.accuracy });
                rows.push({ ...last, head: `sequence:${s.target}`, metric: 'coverage_at_98', value: s.coverageAt98 });
              }
              runs.addMetrics(runId, rows, spec.training.epochs, runs.get(runId)!.steps_done);
              break;
            }
            case 'done':
              if (message.result.kind === 'train') finish(message.result.outcome.status, null);
              else finish('failed', `the worker ran a ${message.result.kind} job instead of training`);
              break;
            case 'error':
              finish('failed', message.message);
              break;
          }
        } catch (error) {
          finish('failed', `could not record the run's progress: ${(error as Error).message}`);
          void worker.terminate();
        }
        options.onMessage?.(message);
      });
      worker.onExit((why) => finish('failed', `${why} before finishing; resume the run to continue from its last checkpoint`));
    });
    const handle: RunHandle = {
      runId,
      worker,
      done,
      control: (type) => worker.postMessage({ type } as ToWorker),
    };
    this.active.set(runId, handle);
    return handle;
  }
}
