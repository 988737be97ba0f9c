/**
 * The compute side of a job (sides/protocol.ts): TensorFlow.js and nothing of the project.
 * It starts the backend, says which, and for a training job trains on the batches the data
 * side sends — the same loop, best-epoch choice, evaluation and warnings wherever it runs: a
 * worker thread or process (worker.ts, over a MessageChannel) or the training renderer's page
 * (page-worker.ts, over the port the main process hands it). No Node API is used here.
 */
import type { BackendChoice } from '../backend.js';
import { BestEpoch } from '../best-epoch.js';
import { evaluate } from '../evaluation.js';
import { MultiHeadModel } from '../model.js';
import type { FromWorker, JobResult, TrainJob, WorkerJob } from '../protocol.js';
import { trainLoop, type ControlSignal, type TrainOutcome } from '../train-loop.js';
import { runWarnings } from '../warnings.js';
import type { SidePort, ToCompute, TrainInit } from './protocol.js';
import { DataClient, RemoteSplit } from './remote-data.js';

export type SelectBackend = (prefer: string | undefined) => Promise<BackendChoice>;

/** Trains one job on the data side's batches; reports progress and the evaluation. */
async function train(job: TrainJob, init: TrainInit, client: DataClient, control: () => ControlSignal): Promise<TrainOutcome> {
  const { spec } = job;
  const report = (message: FromWorker) => client.post(message);
  const model = new MultiHeadModel(spec, job.targets);
  try {
    const data = (split: keyof TrainInit['sizes'], seed: number) => new RemoteSplit(client, split, init.sizes[split], spec, model.resolved, seed);
    const checkpoints = client.checkpoints();
    // After a resume, the choice is among the epochs trained in this job (earlier ones' records are in the store).
    const best = new BestEpoch();
    const outcome = await trainLoop({
      model,
      train: data('train', spec.training.seed),
      validation: data('validation', 0),
      checkpoints,
      resumeFrom: job.resumeFrom,
      onProgress: (progress) => {
        best.progress(progress);
        report({ type: 'progress', progress });
      },
      // The data side has told the owner (it wrote the files).
      onCheckpoint: (where, epoch) => best.checkpoint(where, epoch),
      control,
    });
    if (outcome.status === 'completed' && init.sizes.test > 0) {
      // The model evaluated (and used later) is the one that did best on validation, not merely the last.
      const chosen = await best.restore(model, outcome.epoch, checkpoints);
      const evaluation = await evaluate(model, data('test', 0), (i) => init.testImages[i]!, job.targets);
      const warnings = runWarnings({
        heads: evaluation.heads,
        resolved: model.resolved,
        train: chosen.train,
        validation: chosen.validation,
        runTargets: job.targets,
        projectTargets: init.projectTargets,
        split: init.description,
      });
      const description = init.description ? { split: init.description } : {};
      report({ type: 'evaluation', evaluation: { ...evaluation, epoch: chosen.epoch, selectedBy: chosen.selectedBy, warnings, ...description } });
    }
    return outcome;
  } finally {
    model.dispose();
  }
}

/**
 * Serves one job on `port`: the first message is its start (as a process host receives it);
 * pause, resume and cancel may follow; a training job then waits for the data side's init.
 * `where` names this host in the refusal of jobs that need the project's files.
 */
export function serveCompute(port: SidePort, selectBackend: SelectBackend, where: string): void {
  const client = new DataClient(port);
  const report = (message: FromWorker) => client.post(message);
  let signal: ControlSignal = 'run';
  let started = false;
  let resolveInit!: (init: TrainInit) => void;
  const initialized = new Promise<TrainInit>((resolve) => (resolveInit = resolve));

  async function run(job: WorkerJob): Promise<JobResult> {
    const choice = await selectBackend(job.backend);
    report({ type: 'backend', choice });
    if (job.kind === 'probe') return { kind: 'probe', choice };
    if (job.kind !== 'train') throw new Error(`${job.kind} jobs read the project's files, which ${where} cannot open: run them in the utility process`);
    return { kind: 'train', outcome: await train(job, await initialized, client, () => signal) };
  }

  port.listen((raw) => {
    const message = raw as ToCompute;
    if (client.receive(message)) return;
    switch (message.type) {
      case 'start':
        if (started) return;
        started = true;
        run(message.job).then(
          (result) => report({ type: 'done', result }),
          (error: unknown) => report({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
        );
        return;
      case 'init':
        resolveInit(message);
        return;
      case 'pause':
        signal = 'pause';
        return;
      case 'resume':
        signal = 'run';
        return;
      case 'cancel':
        signal = 'cancel';
        return;
    }
  });
}
