/**
 * The training loop (no Node here: it runs in the worker and in the training renderer's page):
 * seeded shuffles per epoch (so a resumed run sees the same batches),
 * the learning-rate schedule, progress every N steps and per epoch (per head: loss,
 * accuracy; validation per epoch), pause/resume/cancel between steps, a checkpoint after
 * every epoch, and resumption from one. At the end of every epoch, before validation and the
 * checkpoint, batch-norm statistics are recomputed over the training set (precise BN,
 * precise-bn.ts): validation, the checkpoint and the final model never use moving averages.
 */
import type { DecodeProgress } from '../../shared/api/events.js';
import { lambdaAt } from '../../shared/model-spec.js';
import { applyCheckpoint, encodeCheckpoint, type CheckpointStore } from './checkpoint-codec.js';
import type { MultiHeadModel } from './model.js';
import { recomputeBatchNormStatistics } from './precise-bn.js';
import { permutation } from './sampling.js';
import { tf } from './tf.js';
import type { TrainData } from './train-data.js';
import { DeviceMetrics, learningRateAt, losses, makeOptimizer, setLearningRate, trainStepOnDevice, type StepResult } from './train-step.js';

export interface HeadMetrics {
  loss: number;
  accuracy: number | null;
  /** Examples that counted (not masked). */
  count: number;
  /** Adversarial heads: λ now. */
  lambda?: number;
}

export interface TrainProgress {
  kind: 'step' | 'epoch';
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  learningRate: number;
  loss: number;
  heads: Record<string, HeadMetrics>;
  validation?: { loss: number; heads: Record<string, HeadMetrics> };
  elapsedMs: number;
  etaMs: number | null;
  /** A streaming data source: images decoded so far of all the run's images (decoding overlaps training), and those skipped as unreadable. */
  decoded?: DecodeProgress;
}

export type ControlSignal = 'run' | 'pause' | 'cancel';

export interface TrainOptions {
  model: MultiHeadModel;
  train: TrainData;
  validation?: TrainData;
  /** Where a checkpoint goes after every epoch (no store or no `save`: none), and where `resumeFrom` is loaded from. */
  checkpoints?: CheckpointStore;
  /** A checkpoint to continue from (as the store names it: a folder, for files). */
  resumeFrom?: string;
  onProgress?: (progress: TrainProgress) => void;
  /** `where`: the saved checkpoint's name in the store. */
  onCheckpoint?: (where: string, epoch: number, step: number) => void;
  /** Asked between steps. */
  control?: () => ControlSignal;
}

/** Epochs since the validation loss last improved (early stopping). A resumed run starts counting again. */
class Patience {
  private best = Infinity;
  private since = 0;
  stale(loss: number, minDelta: number): number {
    if (loss < this.best - minDelta) {
      this.best = loss;
      this.since = 0;
    } else this.since++;
    return this.since;
  }
}

export interface TrainOutcome {
  status: 'completed' | 'cancelled';
  epoch: number;
  step: number;
  /** The validation loss stopped improving (training.earlyStopping) before the last epoch. */
  stoppedEarly?: boolean;
}

/**
 * Lets the event loop run (control messages, batches arriving) between steps. A page has no
 * setImmediate; a message to itself is not throttled as a hidden page's timers may be.
 */
export function tick(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise<void>((resolve) => setImmediate(resolve));
  return new Promise<void>((resolve) => {
    // The page's MessageChannel (the engine is type-checked with Node's types, whose ports have no onmessage).
    type Port = { onmessage: (() => void) | null; postMessage(message: unknown): void; close(): void };
    const channel = new MessageChannel() as unknown as { port1: Port; port2: Port };
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Per-head metrics from summed figures (accuracy null where no example counted). */
function headMetrics(sums: StepResult['heads']): Record<string, HeadMetrics> {
  const heads: Record<string, HeadMetrics> = {};
  for (const [name, s] of Object.entries(sums))
    heads[name] = { loss: s.count > 0 ? s.loss : 0, accuracy: s.count > 0 ? s.correct / s.count : null, count: s.count };
  return heads;
}

/** Mean loss and accuracy per head over a dataset, without training: sums kept on the device, read once. */
export async function evaluateLosses(model: MultiHeadModel, data: TrainData, batchSize: number): Promise<{ loss: number; heads: Record<string, HeadMetrics> }> {
  const metrics = new DeviceMetrics(model.resolved.map((h) => h.spec.name));
  try {
    for (let from = 0; from < data.size; from += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, data.size - from) }, (_, i) => from + i);
      // Batch by batch: a streaming source holds only what it is asked for.
      if (data.prepare) await data.prepare(indices);
      const batch = data.batch(indices, false);
      tf.tidy(() => {
        const r = losses(model, model.forward(batch.inputs, false), batch.labels);
        metrics.add(r.total, r.heads);
      });
      tf.dispose(Object.values(batch.inputs));
    }
    const read = await metrics.read();
    return { loss: read.batches > 0 ? read.total / read.batches : 0, heads: headMetrics(read.heads) };
  } finally {
    metrics.dispose();
  }
}

export async function trainLoop(options: TrainOptions): Promise<TrainOutcome> {
  const { model, train } = options;
  const t = model.spec.training;
  const optimizer = makeOptimizer(t);
  const stepsPerEpoch = Math.ceil(train.size / t.batchSize);
  const totalSteps = stepsPerEpoch * t.epochs;
  const stopper = new Patience();
  const metrics = new DeviceMetrics(model.resolved.map((h) => h.spec.name));
  let startEpoch = 0;
  let step = 0;
  try {
    if (options.resumeFrom) {
      if (!options.checkpoints) throw new Error(`no checkpoint store to resume ${options.resumeFrom} from`);
      const manifest = await applyCheckpoint(await options.checkpoints.load(options.resumeFrom), model, optimizer, options.resumeFrom);
      startEpoch = manifest.epoch;
      step = manifest.step;
    }
    const started = performance.now();
    const stepAtStart = step;
    for (let epoch = startEpoch; epoch < t.epochs; epoch++) {
      const rate = learningRateAt(t, epoch);
      setLearningRate(optimizer, rate);
      const order = permutation(train.size, t.seed * 1_000_003 + epoch);
      metrics.reset();
      train.schedule?.(order);
      // One device read per report: every step's figures stay on the device until then.
      const metricsNow = async () => {
        const read = await metrics.read();
        const heads = headMetrics(read.heads);
        for (const head of model.resolved) {
          heads[head.spec.name] ??= { loss: 0, accuracy: null, count: 0 };
          if (head.spec.adversarial) heads[head.spec.name]!.lambda = lambdaAt(head.spec.adversarial.lambda, step / totalSteps);
        }
        return { loss: read.batches > 0 ? read.total / read.batches : 0, heads };
      };
      const report = async (kind: 'step' | 'epoch', validation?: TrainProgress['validation']) => {
        if (!options.onProgress) return;
        const { loss, heads } = await metricsNow();
        const elapsedMs = performance.now() - started;
        const done = step - stepAtStart;
        const decoded = train.decodeProgress?.();
        options.onProgress({
          kind,
          epoch,
          epochs: t.epochs,
          step,
          totalSteps,
          learningRate: rate,
          loss,
          heads,
          ...(validation ? { validation } : {}),
          elapsedMs,
          etaMs: done > 0 ? (elapsedMs / done) * (totalSteps - step) : null,
          ...(decoded ? { decoded } : {}),
        });
      };
      for (let from = 0; from < order.length; from += t.batchSize) {
        let signal = options.control?.() ?? 'run';
        while (signal === 'pause') {
          await new Promise((resolve) => setTimeout(resolve, 50));
          signal = options.control?.() ?? 'run';
        }
        if (signal === 'cancel') return { status: 'cancelled', epoch, step };
        const indices = order.slice(from, from + t.batchSize);
        if (train.prepare) await train.prepare(indices);
        const batch = train.batch(indices, t.augmentShift > 0, step);
        trainStepOnDevice(model, optimizer, batch, step / totalSteps, metrics);
        tf.dispose(Object.values(batch.inputs));
        step++;
        if (step % t.reportEvery === 0) await report('step');
        await tick();
      }
      await recomputeBatchNormStatistics(model, train, { batchSize: t.batchSize });
      const validation = options.validation && options.validation.size > 0 ? await evaluateLosses(model, options.validation, t.batchSize) : undefined;
      await report('epoch', validation);
      if (options.checkpoints?.save) {
        const where = await options.checkpoints.save(await encodeCheckpoint(model, optimizer, epoch + 1, step));
        options.onCheckpoint?.(where, epoch + 1, step);
      }
      if (validation && t.earlyStopping && stopper.stale(validation.loss, t.earlyStopping.minDelta) >= t.earlyStopping.patience) {
        return { status: 'completed', epoch: epoch + 1, step, stoppedEarly: true };
      }
    }
    return { status: 'completed', epoch: t.epochs, step };
  } finally {
    metrics.dispose();
    optimizer.dispose();
  }
}
