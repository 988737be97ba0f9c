/**
 * Training runs, owned by the main process (or the CLI): each run is a row in the store and
 * a worker thread. Progress, checkpoints and the final evaluation arrive as messages and are
 * written here, one transaction each. A run whose worker died resumes from its last checkpoint.
 */
import path from 'node:path';
import { conflict, DomainError, notFound } from '../../shared/errors.js';
import { parseModelSpec, storedSpec, type ModelSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Project } from '../domain/project.js';
import { engineHeapLimitMB } from './heap-limit.js';
import { resolveHeads, SpecError } from './heads.js';
import { checkpointFolder, headsWithoutLabels, runTargets, storedCheckpointPath, trainingTargets } from './run-files.js';
import { describeHolder, HEARTBEAT_MS, holderIsDead, newOwner, staleBefore } from './run-owner.js';
import type { MetricRow, RunRow } from '../store/runs-repo.js';
import { threadHost, type SpawnHost, type TrainingHost } from './host.js';
import type { FromWorker, SplitIds, ToWorker, TrainJob } from './protocol.js';
import type { TrainProgress } from './train-loop.js';
import { liveProgress } from './run-progress.js';
import type { TrainingProgressEvent } from '../../shared/api/events.js';

export interface RunHandle {
  runId: number;
  worker: TrainingHost;
  /** Resolves with the run's final row, whatever the outcome. */
  done: Promise<RunRow>;
  control(message: ToWorker['type']): void;
  /** Its latest progress report (run-progress.ts): undefined before the first. */
  progress?: TrainingProgressEvent;
}

export interface RunOptions {
  name?: string;
  /** Who starts it (recorded with the run). */
  author?: string;
  /** Force a backend (tensorflow-gpu, tensorflow, wasm, cpu). */
  backend?: string;
  onMessage?: (message: FromWorker) => void;
}

/** Spec problems ("heads.1.target.target: no target named 'x'") as an invalid-value error naming each field. */
function invalidSpec(problems: string[]): DomainError {
  const issues = problems.map((p) => {
    const at = p.indexOf(': ');
    return at > 0 ? { path: `spec.${p.slice(0, at)}`, message: p.slice(at + 2) } : { path: 'spec', message: p };
  });
  return new DomainError('invalid_value', `Invalid model spec for this project:\n  ${problems.join('\n  ')}`, issues);
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

  /** This process's name in run locks. */
  private readonly owner = newOwner();

  constructor(
    private readonly project: Project,
    private readonly spawn: SpawnHost = threadHost,
  ) {
    // Runs whose trainer died (kill -9, a crash) are said to be interrupted, not left 'running'
    // (by the next process that may write: a read-only open changes nothing).
    if (!project.store.readonly) project.store.runLocks.interruptOrphans(staleBefore(), holderIsDead);
  }

  /** Checks a spec against the project (errors name the field) without starting anything. */
  check(specInput: unknown): { spec: ModelSpec; targets: TargetDef[] } {
    const parsed = parseModelSpec(specInput);
    if (!parsed.ok) throw invalidSpec(parsed.errors);
    const classCounts = this.project.store.annotations.classCounts();
    const targets = trainingTargets(this.project, classCounts);
    try {
      resolveHeads(parsed.spec, targets);
    } catch (error) {
      if (error instanceof SpecError) throw invalidSpec(error.problems);
      throw error;
    }
    const unlabeled = headsWithoutLabels(this.project, parsed.spec, targets, classCounts);
    if (unlabeled.length > 0) throw invalidSpec(unlabeled);
    return { spec: parsed.spec, targets };
  }

  /** Validates a spec against the project (no run is created for an invalid one) and starts a new run. */
  start(specInput: unknown, options: RunOptions = {}): RunHandle {
    const { spec, targets } = this.check(specInput);
    const runId = this.project.store.runs.create(options.name ?? spec.name, spec, spec.training.seed, targets, this.owner, options.author ?? null);
    return this.launch(runId, spec, targets, options);
  }

  /** Continues a run that stopped (crash, kill, cancel) from its latest checkpoint; refused while another trainer holds it. */
  resume(runId: number, options: RunOptions = {}): RunHandle {
    const { runs, runLocks } = this.project.store;
    const run = runs.get(runId);
    if (!run) throw notFound(`Run ${runId}`);
    if (run.status === 'completed') throw conflict(`run ${runId} is already completed`);
    const lock = runLocks.take(runId, this.owner, staleBefore(), holderIsDead);
    if (!lock.ok || this.active.has(runId)) {
      const who = lock.ok ? 'this process' : describeHolder(lock.holder);
      throw conflict(`run ${runId} is being trained by ${who}; a run has one trainer at a time`);
    }
    // Parsed, not cast: runs stored before `resize` existed were trained stretched (storedSpec says so).
    const parsed = parseModelSpec(storedSpec(JSON.parse(run.spec)));
    if (!parsed.ok) throw invalidSpec(parsed.errors);
    const spec = parsed.spec;
    const checkpoint = runs.latestCheckpoint(runId);
    const split = run.split ? (JSON.parse(run.split) as SplitIds) : undefined;
    // What the run recorded after its last checkpoint is recorded again as it resumes: drop it first.
    runs.forgetAfter(runId, checkpoint?.epoch ?? 0, checkpoint?.step ?? 0);
    const from = checkpoint ? { resumeFrom: checkpointFolder(this.project, checkpoint.path), split } : { split };
    return this.launch(runId, spec, runTargets(this.project, run), options, from);
  }

  get(runId: number): RunHandle | undefined {
    return this.active.get(runId);
  }

  private launch(
    runId: number,
    spec: ModelSpec,
    targets: TargetDef[],
    options: RunOptions,
    from: Partial<Pick<TrainJob, 'resumeFrom' | 'split'>> = {},
  ): RunHandle {
    const { runs, runLocks } = this.project.store;
    const job: TrainJob = {
      kind: 'train',
      dataDir: this.project.dataDir,
      runId,
      spec,
      targets,
      checkpointDir: path.join(this.project.dataDir, 'runs', String(runId), 'checkpoints'),
      ...from,
      ...(options.backend ? { backend: options.backend } : {}),
      heapLimitMB: engineHeapLimitMB(this.project.store.images.count()),
    };
    const worker = this.spawn(job);
    const heartbeat = setInterval(() => runLocks.heartbeat(runId, this.owner), HEARTBEAT_MS);
    heartbeat.unref();
    let finished = false;
    // A resumed run keeps its split; a new one reports it before training (data-side.ts).
    let testImages = from.split?.test.length ?? 0;
    const done = new Promise<RunRow>((resolve) => {
      const finish = (status: 'completed' | 'failed' | 'cancelled', error: string | null) => {
        if (finished) return;
        finished = true;
        clearInterval(heartbeat);
        runs.setStatus(runId, status, error);
        runLocks.release(runId, this.owner);
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
              testImages = message.counts.test;
              break;
            case 'progress':
              runs.addMetrics(
                runId,
                progressRows(message.progress),
                message.progress.kind === 'epoch' ? message.progress.epoch + 1 : message.progress.epoch,
                message.progress.step,
              );
              handle.progress = liveProgress(runId, message.progress, testImages);
              break;
            case 'checkpoint':
              runs.addCheckpoint(runId, message.epoch, message.step, storedCheckpointPath(this.project, message.dir));
              break;
            case 'evaluation': {
              const e = message.evaluation;
              if (e.epoch !== undefined) runs.setBestEpoch(runId, e.epoch);
              runs.saveEvaluation(runId, 'test', e);
              const rows: MetricRow[] = [];
              const last = { epoch: e.epoch ?? spec.training.epochs, step: 0, split: 'test' as const };
              for (const h of e.heads) {
                if (h.accuracy !== null) rows.push({ ...last, head: h.head, metric: 'accuracy', value: h.accuracy });
                if (h.chance !== undefined) rows.push({ ...last, head: h.head, metric: 'chance', value: h.chance });
              }
              for (const s of e.sequences) {
                if (s.accuracy !== null) rows.push({ ...last, head: `sequence:${s.target}`, metric: 'accuracy', value: s.accuracy });
                rows.push({ ...last, head: `sequence:${s.target}`, metric: 'coverage_at_98', value: s.coverageAt98 });
              }
              runs.addMetrics(runId, rows, runs.get(runId)!.epochs_done, runs.get(runId)!.steps_done);
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
