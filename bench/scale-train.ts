/**
 * The training half of `npm run bench:scale`, run in a child process of its own so that its
 * peak memory is the training's alone (process.resourceUsage().maxRSS of this process, and
 * the RSS sampled every 200 ms). Two ways to feed the same small spec:
 * - 'stream': what a training job's data side does (sides/data-side.ts, here without the port): labels through the store, the split,
 *   the streaming pipeline (engine/pipeline/), two epochs, then the test split's evaluation as the compute side does it;
 * - 'memory': the in-memory pipeline the engine used before issue 15 (every image decoded
 *   into one Float32Array first: data.ts decodeImages + memory-data.ts toTrainData), one epoch, for its
 *   steady images/s.
 * Times are absolute (Date.now()), so the parent measures from the moment it started the child,
 * which it starts with the heap limit a training job of this many images gets (engine/heap-limit.ts).
 */
import path from 'node:path';
import { parseModelSpec, type ModelSpec } from '../shared/model-spec.js';
import { Project } from '../electron/domain/project.js';
import { selectBackend } from '../electron/engine/backend.js';
import { buildExamples, decodeImages, readLabels } from '../electron/engine/data.js';
import { evaluate } from '../electron/engine/evaluation.js';
import { SourceTable } from '../electron/engine/image-sources.js';
import { labelTargets } from '../electron/engine/labels.js';
import { toTrainData } from '../electron/engine/memory-data.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { pipelineData } from '../electron/engine/pipeline/stream-data.js';
import { DataPipeline } from '../electron/engine/pipeline/pipeline.js';
import { splitRun } from '../electron/engine/split.js';
import type { TrainData } from '../electron/engine/train-data.js';
import { runTraining, type TrainProgress } from '../electron/engine/trainer.js';

export interface TrainRequest {
  mode: 'stream' | 'memory';
  dataDir: string;
  cacheDir: string;
  backend: string;
  budgetMB: number;
  /** 'memory': train on at most this many examples (its decode-everything-first step is what does not scale). */
  limit?: number;
}

export interface TrainMeasure {
  mode: 'stream' | 'memory';
  backend: string;
  trainExamples: number;
  batchSize: number;
  /** Absolute ms: when the child started running, when labels and split were ready, when each batch was requested (after its prepare). */
  startedAt: number;
  splitReadyAt: number;
  /** 'memory': seconds decoding every image before the first step. */
  decodeAllSeconds?: number;
  batchAt: number[];
  /** Absolute ms at the end of each epoch (after precise BN and validation). */
  epochEndAt: number[];
  /** Images decoded (or skipped) at the end of each epoch: the background decoding still running in the next one, if fewer than all. */
  decodedAtEpochEnd: number[];
  /** 'stream': seconds to evaluate the test split after training (its images decoded then), and how many. */
  evaluationSeconds?: number;
  testExamples?: number;
  /** Images decoded when the first step was done, of how many. */
  decodedAtFirstStep?: { done: number; total: number; skipped?: { count: number } };
  peakRssMB: number;
  sampledPeakRssMB: number;
  cache?: ReturnType<DataPipeline['stats']>;
}

/** The small spec of the benchmark: 32x32 grey letterboxed, conv 8/16 + dense 64, a length head and five digit heads. */
export function scaleSpec(epochs: number, budgetMB: number): ModelSpec {
  const parsed = parseModelSpec({
    name: 'bench:scale',
    inputs: [{ name: 'x', height: 32, width: 32, channels: 1 }],
    trunk: { preset: 'conv', depth: 2, width: 8, growth: 2, batchNorm: false, dense: 64 },
    heads: [
      { name: 'length', target: { kind: 'target', target: 'length' } },
      ...[0, 1, 2, 3, 4].map((position) => ({ name: `d${position}`, target: { kind: 'position' as const, target: 'digits', position } })),
    ],
    training: { epochs, batchSize: 32, learningRate: 0.003, augmentShift: 2, seed: 1, validation: 0.1, test: 0.1, reportEvery: 50, pixelCacheMB: budgetMB },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.spec;
}

/** Wraps a dataset to time each batch request (the previous step is done when the next batch is asked for). */
function timed(data: TrainData, batchAt: number[]): TrainData {
  return {
    ...data,
    size: data.size,
    batch: (indices, augment, step) => {
      batchAt.push(Date.now());
      return data.batch(indices, augment, step);
    },
    ...(data.schedule ? { schedule: (order: number[]) => data.schedule!(order) } : {}),
    ...(data.prepare ? { prepare: (indices: number[]) => data.prepare!(indices) } : {}),
    ...(data.decodeProgress ? { decodeProgress: () => data.decodeProgress!() } : {}),
  };
}

interface Opened {
  splitReadyAt: number;
  pipeline?: DataPipeline;
  train: TrainData;
  validation: TrainData;
  /** 'stream': the test split, evaluated after training (made then: its images are decoded when evaluation asks, as in a job), and its images. */
  test?: () => TrainData;
  testImages: number[];
  decodeAllSeconds?: number;
}

/** Labels through the store and the split, as a training job's data side reads them. */
function labelsAndSplit(project: Project, spec: ModelSpec, model: MultiHeadModel) {
  const labels = readLabels(project, labelTargets(spec));
  const { split } = splitRun(spec, model.resolved, buildExamples(spec, model.resolved, labels), labels, SourceTable.of(project.store.images.sources()));
  return { labels, split, splitReadyAt: Date.now() };
}

/** 'stream': the pipeline over every split's images, and each split's data reading from it. */
function openStream(project: Project, spec: ModelSpec, model: MultiHeadModel, request: TrainRequest): Opened {
  const { labels, split, splitReadyAt } = labelsAndSplit(project, spec, model);
  const pipeline = DataPipeline.open(project, spec, model.resolved, labels, [...split.train, ...split.validation, ...split.test], {
    cacheDir: request.cacheDir,
    budgetMB: request.budgetMB,
  });
  const testExamples = split.test; // only the test split's examples are held until the evaluation
  return {
    splitReadyAt,
    pipeline,
    train: pipelineData(pipeline, split.train, spec.training.seed),
    validation: pipelineData(pipeline, split.validation, 0),
    test: () => pipelineData(pipeline, testExamples, 0),
    testImages: testExamples.map((e) => e.imageIds[0]!),
  };
}

/** 'memory': the training examples (at most `limit`) decoded into one Float32Array before the first step. */
async function openInMemory(project: Project, spec: ModelSpec, model: MultiHeadModel, request: TrainRequest): Promise<Opened> {
  const { labels, split, splitReadyAt } = labelsAndSplit(project, spec, model);
  const examples = split.train.slice(0, request.limit ?? split.train.length);
  const t = Date.now();
  const decoded = await decodeImages(
    project,
    examples.flatMap((e) => e.imageIds),
    spec.inputs[0]!,
  );
  return {
    splitReadyAt,
    decodeAllSeconds: (Date.now() - t) / 1000,
    train: toTrainData(spec, model.resolved, examples, decoded, labels, spec.training.seed),
    validation: toTrainData(spec, model.resolved, [], decoded, labels, 0),
    testImages: [],
  };
}

export async function measureTraining(request: TrainRequest): Promise<TrainMeasure> {
  const startedAt = Date.now();
  let sampled = process.memoryUsage.rss();
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 200);
  const choice = await selectBackend(request.backend);
  const spec = scaleSpec(request.mode === 'stream' ? 2 : 1, request.budgetMB);
  // As the data side opens it (sides/data-side.ts): read-only, unchecked (the owner checked it).
  const project = Project.open(request.dataDir, { mode: 'read', check: 'none' });
  try {
    const targets = project.store.targets.list();
    const model = new MultiHeadModel(spec, targets);
    const batchAt: number[] = [];
    const epochEndAt: number[] = [];
    let decodedAtFirstStep: TrainMeasure['decodedAtFirstStep'];
    // Opened by a function of its own, as the data side does, so that the examples' objects are
    // not held for the run (an async function keeps its locals across every await).
    const { splitReadyAt, pipeline, train, validation, test, testImages, decodeAllSeconds } =
      request.mode === 'stream' ? openStream(project, spec, model, request) : await openInMemory(project, spec, model, request);
    const wrapped = timed(train, batchAt);
    if (wrapped.prepare) {
      const prepare = wrapped.prepare;
      wrapped.prepare = (indices) => {
        if (batchAt.length === 1) decodedAtFirstStep = pipeline!.progress();
        return prepare(indices);
      };
    }
    const decodedAtEpochEnd: number[] = [];
    const onProgress = (p: TrainProgress) => {
      if (p.kind !== 'epoch') return;
      epochEndAt.push(Date.now());
      decodedAtEpochEnd.push(pipeline?.progress().done ?? 0);
    };
    await runTraining({ model, train: wrapped, validation, onProgress });
    let evaluated: Pick<TrainMeasure, 'evaluationSeconds' | 'testExamples'> = {};
    if (test) {
      const t = Date.now();
      const data = test();
      await evaluate(model, data, (i) => testImages[i]!, targets);
      evaluated = { evaluationSeconds: (Date.now() - t) / 1000, testExamples: data.size };
    }
    const cache = pipeline?.stats();
    pipeline?.close(true);
    model.dispose();
    clearInterval(sampler);
    return {
      mode: request.mode,
      backend: choice.name,
      trainExamples: train.size,
      batchSize: spec.training.batchSize,
      startedAt,
      splitReadyAt,
      ...(decodeAllSeconds !== undefined ? { decodeAllSeconds } : {}),
      batchAt,
      epochEndAt,
      decodedAtEpochEnd,
      ...(decodedAtFirstStep ? { decodedAtFirstStep } : {}),
      ...evaluated,
      peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
      sampledPeakRssMB: sampled / 2 ** 20,
      ...(cache ? { cache } : {}),
    };
  } finally {
    clearInterval(sampler);
    project.close();
  }
}

/** The child's side: one request in, one measure out. */
export async function trainChild(): Promise<void> {
  const request = await new Promise<TrainRequest>((resolve) => process.once('message', (m) => resolve(m as TrainRequest)));
  try {
    const result = await measureTraining({ ...request, cacheDir: path.resolve(request.cacheDir) });
    process.send!({ result }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
  }
}
