/**
 * The data side of a training job (sides/protocol.ts): everything that needs the project's
 * database and files, and no TensorFlow.js — so the Electron main process can run it for the
 * training renderer, as the worker runs it for itself. It reads the labels, splits them (or
 * takes the run's stored split), streams the examples' images through the pixel cache
 * (pipeline/) as uint8 records on request, writes and reads the checkpoints the compute side
 * sends (checkpoint-files.ts, the usual format), and forwards the compute side's reports to the
 * job's owner. It never writes to the database; the owner does (engine/runs.ts).
 */
import path from 'node:path';
import { Project } from '../../domain/project.js';
import { readCheckpointFiles, writeCheckpointFiles } from '../checkpoint-files.js';
import { batchLabels, buildExamples, PackedExamples, readLabels, type Example } from '../data.js';
import { resolveHeads, type ResolvedHead } from '../heads.js';
import { SourceTable } from '../image-sources.js';
import { labelTargets, type LabelTable } from '../labels.js';
import { maskSkipped, recordBytesOf } from '../pixels.js';
import { DataPipeline, slotsOf } from '../pipeline/pipeline.js';
import type { FromWorker, ToWorker, TrainJob } from '../protocol.js';
import { splitRun } from '../split.js';
import { buffersOf, isFromCompute, type FromCompute, type SidePort, type SplitName, type ToCompute } from './protocol.js';

export interface DataSide {
  /** The owner's pause, resume or cancel, passed to the compute side. */
  control(message: ToWorker): void;
  /** Ends the data side early (its host ended): the pipeline keeps its cache for a resume. */
  close(): void;
}

/** Packed (data.ts): held for the whole job, without an object per example. */
type Splits = Record<SplitName, PackedExamples>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** True when `dir` is `root` or inside it. */
const inside = (root: string, dir: string) => {
  const relative = path.relative(root, dir);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/**
 * Runs the data side of `job` over `port` (the compute side at its other end): starts the
 * compute side, and reports every message for the owner through `report`, ending with its done
 * or error.
 */
export function runDataSide(job: TrainJob, port: SidePort, report: (message: FromWorker) => void): DataSide {
  const { spec } = job;
  const inputs = spec.inputs.map((i) => i.name);
  let heads: ResolvedHead[] = [];
  let project: Project | null = null;
  let pipeline: DataPipeline | null = null;
  let splits: Splits | null = null;
  let labels: LabelTable | null = null;
  let ended = false;
  let testAhead = false;
  const send = (message: ToCompute, transfer?: ArrayBuffer[]) => {
    if (!ended) port.post(message, transfer);
  };

  /** Closes what the job opened; a completed run needs its decoded pixels no more, another keeps them for its resume. */
  const close = (completed: boolean) => {
    if (ended) return;
    ended = true;
    pipeline?.close(completed);
    project?.close();
    port.close();
  };
  const end = (message: FromWorker & { type: 'done' | 'error' }) => {
    if (ended) return;
    close(message.type === 'done' && message.result.kind === 'train' && message.result.outcome.status === 'completed');
    report(message);
  };
  const fail = (error: unknown) => end({ type: 'error', message: error instanceof Error ? error.message : String(error) });

  /** Labels, split and pipeline, then the compute side's init. */
  function prepare(): void {
    heads = resolveHeads(spec, job.targets);
    // Read-only and unchecked: the owner opened (and quick_checked) the database before it started
    // this job, and a check here would scan the whole file again before the first step.
    project = Project.open(job.dataDir, { mode: 'read', check: 'none' });
    labels = readLabels(project, labelTargets(spec));
    const toExamples = (ids: number[][]): Example[] => ids.map((imageIds) => ({ imageIds }));
    let description = job.split?.description;
    let made: Record<SplitName, Example[]>;
    if (job.split) {
      made = { train: toExamples(job.split.train), validation: toExamples(job.split.validation), test: toExamples(job.split.test) };
    } else {
      const run = splitRun(spec, heads, buildExamples(spec, heads, labels), labels, SourceTable.of(project.store.images.sources()));
      made = run.split;
      description = run.description;
      const ids = (e: Example[]) => e.map((x) => x.imageIds);
      report({
        type: 'split',
        split: { train: ids(made.train), validation: ids(made.validation), test: ids(made.test), description },
        counts: { train: made.train.length, validation: made.validation.length, test: made.test.length },
      });
    }
    if (made.train.length === 0) throw new Error("no labelled examples to train on: label some images for the spec's heads first");
    pipeline = DataPipeline.open(project, spec, heads, labels, [...made.train, ...made.validation, ...made.test], {
      // runs/N/checkpoints → runs/N/pixel-cache
      cacheDir: path.join(path.dirname(job.checkpointDir), 'pixel-cache'),
      budgetMB: spec.training.pixelCacheMB,
    });
    const packed = (split: SplitName) => PackedExamples.of(made[split], inputs.length);
    const held: Splits = (splits = { train: packed('train'), validation: packed('validation'), test: packed('test') });
    // Training and validation images are decoded in the background when nothing more pressing is
    // left; the test split's when evaluation first asks for it.
    for (const split of ['train', 'validation'] as const) pipeline.decoder.ahead(slotsOf(pipeline, held[split], range(held[split].length)));
    send({
      type: 'init',
      sizes: { train: held.train.length, validation: held.validation.length, test: held.test.length },
      testImages: Array.from({ length: held.test.length }, (_, i) => held.test.imageId(i)),
      projectTargets: project.store.targets.list(),
      ...(description ? { description } : {}),
    });
  }

  /** The examples' records (input by input) and labels, once decoded. */
  async function records(split: SplitName, indices: Int32Array): Promise<ToCompute & { type: 'records' }> {
    const examples = splits![split];
    for (const i of indices) if (!(i >= 0 && i < examples.length)) throw new Error(`no ${split} example ${i}`);
    const { decoder, cache } = pipeline!;
    if (split === 'test' && !testAhead) {
      testAhead = true;
      decoder.ahead(slotsOf(pipeline!, examples, range(examples.length)));
    }
    const slots = slotsOf(pipeline!, examples, indices);
    await decoder.ensure(slots);
    const bytes = recordBytesOf(spec.inputs[0]!);
    const out = new Uint8Array(slots.length * bytes);
    const skipped = Uint8Array.from(slots, (slot) => (decoder.skipped(slot) ? 1 : 0));
    // The cache stores records in the format sent: copied as they are, not unpacked and packed again.
    slots.forEach((slot, k) => skipped[k] === 0 && out.set(cache.record(slot), k * bytes));
    const batchLabelsOut = batchLabels(heads, examples, indices, inputs, labels!);
    maskSkipped(
      batchLabelsOut,
      Uint8Array.from(indices, (_, b) => (skipped.subarray(b * inputs.length, (b + 1) * inputs.length).some((x) => x === 1) ? 1 : 0)),
    );
    return { type: 'records', id: 0, records: out, skipped, labels: batchLabelsOut, decoded: pipeline!.progress() };
  }

  async function answer(message: Extract<FromCompute, { id: number }>): Promise<void> {
    try {
      switch (message.type) {
        case 'batch': {
          const reply = await records(message.split, message.indices);
          const labelArrays = Object.values(reply.labels).flatMap((l) => [l.index, l.mask]);
          send({ ...reply, id: message.id }, buffersOf(reply.records, reply.skipped, ...labelArrays));
          return;
        }
        case 'save': {
          const epoch = message.manifest.epoch;
          if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`a checkpoint of epoch ${epoch} cannot be saved`);
          const dir = await writeCheckpointFiles(job.checkpointDir, { manifest: message.manifest, weights: message.weights });
          // The owner records it before training goes on.
          report({ type: 'checkpoint', dir, epoch, step: message.manifest.step });
          send({ type: 'saved', id: message.id, where: dir });
          return;
        }
        case 'load': {
          // Only this run's checkpoints (the compute side may be a page).
          if (message.where !== job.resumeFrom && !inside(job.checkpointDir, message.where))
            throw new Error(`${message.where} is not a checkpoint of this run`);
          const { manifest, weights } = await readCheckpointFiles(message.where);
          send({ type: 'checkpoint-data', id: message.id, manifest, weights }, buffersOf(weights));
          return;
        }
      }
    } catch (error) {
      send({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
    }
  }

  port.listen((raw) => {
    if (ended) return;
    if (!isFromCompute(raw)) return fail(new Error(`the compute side sent an unknown message (${JSON.stringify(raw).slice(0, 80)})`));
    const message = raw;
    switch (message.type) {
      case 'backend':
        report(message);
        try {
          prepare();
        } catch (error) {
          fail(error);
        }
        return;
      case 'progress':
      case 'evaluation':
        report(message);
        return;
      case 'done':
      case 'error':
        end(message);
        return;
      case 'schedule':
        if (pipeline && splits) pipeline.decoder.schedule(slotsOf(pipeline, splits[message.split], message.order));
        return;
      case 'batch':
      case 'save':
      case 'load':
        void answer(message);
        return;
    }
  });
  port.post({ type: 'start', job } satisfies ToCompute);
  return {
    control: (message) => send(message),
    close: () => close(false),
  };
}
