/**
 * bench:scale's figures from the raw measures (scale.ts, scale-train.ts), its table with the
 * goals of issue 15, and the extrapolation to 1,000,000 images — from the per-image slope of
 * this run, or from the two-point slope against a run at another count where one was saved.
 */
import type { TrainMeasure } from './scale-train.js';

export interface ImportMeasure {
  dataDir: string;
  images: number;
  imported: number;
  rejected: number;
  /** null: the crops were rendered by an earlier run (--crops). */
  synthSeconds: number | null;
  importSeconds: number;
  importImagesPerSecond: number;
  importImagesPerSecondFirst10Percent: number;
  importImagesPerSecondLast10Percent: number;
  importPeakRssMB: number;
  databaseMB: number;
  thumbnailsMB: number;
  imagesFolderMB: number;
}

type Child = TrainMeasure & { forkedAt: number };

/** Images/s over batches [from, to) (each interval: one step plus the wait for the next batch). */
function rate(m: Child, from: number, to: number): number {
  const last = Math.min(to, m.batchAt.length) - 1;
  return ((last - from) * m.batchSize * 1000) / Math.max(1, m.batchAt[last]! - m.batchAt[from]!);
}

export function scaleSummary(
  imported: ImportMeasure,
  stream: Child,
  memory: Child,
  budgetMB: number,
  previous?: Record<string, number>,
  heapLimitMB: number | null = null,
) {
  const steps = Math.ceil(stream.trainExamples / stream.batchSize);
  const firstStepSeconds = (stream.batchAt[1]! - stream.forkedAt) / 1000;
  const n = imported.images;
  const figures = {
    images: n,
    imported: imported.imported,
    rejected: imported.rejected,
    synthSeconds: imported.synthSeconds,
    importSeconds: imported.importSeconds,
    importImagesPerSecond: imported.importImagesPerSecond,
    importImagesPerSecondFirst10Percent: imported.importImagesPerSecondFirst10Percent,
    importImagesPerSecondLast10Percent: imported.importImagesPerSecondLast10Percent,
    importPeakRssMB: imported.importPeakRssMB,
    databaseMB: imported.databaseMB,
    thumbnailsMB: imported.thumbnailsMB,
    imagesFolderMB: imported.imagesFolderMB,
    backend: stream.backend,
    pixelCacheBudgetMB: budgetMB,
    trainExamples: stream.trainExamples,
    labelsAndSplitSeconds: (stream.splitReadyAt - stream.forkedAt) / 1000,
    firstStepSeconds,
    decodedAtFirstStep: stream.decodedAtFirstStep?.done ?? null,
    firstEpochSeconds: (stream.epochEndAt[0]! - stream.batchAt[0]!) / 1000,
    firstEpochImagesPerSecond: rate(stream, 0, steps),
    /** Images decoded when the first epoch (and its validation) ended: fewer than all means decoding ran on into the second. */
    decodedAtFirstEpochEnd: stream.decodedAtEpochEnd?.[0] ?? null,
    /** The streaming pipeline's steady state: the second epoch, every image from the pixel cache. */
    steadyImagesPerSecond: rate(stream, steps, 2 * steps),
    secondEpochSeconds: (stream.epochEndAt[1]! - stream.epochEndAt[0]!) / 1000,
    secondEpochImagesPerSecond: rate(stream, steps, 2 * steps),
    /** The test split's evaluation after training (its images decoded then): seconds, examples. */
    evaluationSeconds: stream.evaluationSeconds ?? null,
    testExamples: stream.testExamples ?? null,
    /** The JavaScript heap limit the training child ran under: a training job's on this project (engine/heap-limit.ts). */
    heapLimitMB,
    peakRssMB: stream.peakRssMB,
    sampledPeakRssMB: stream.sampledPeakRssMB,
    /** Peak RSS less the pixel cache's memory tier (records held in memory, up to the budget): what grows with the data set besides the cache. */
    peakRssLessCacheMB: stream.peakRssMB - (stream.cache?.memoryBytes ?? 0) / 2 ** 20,
    pixelCache: stream.cache ?? null,
    memoryPipelineExamples: memory.trainExamples,
    memoryPipelineDecodeAllSeconds: memory.decodeAllSeconds ?? null,
    /** Before issue 15: the first step came after decoding every image. */
    memoryPipelineFirstStepSeconds: (memory.batchAt[1]! - memory.forkedAt) / 1000,
    /** Steady images/s of the in-memory pipeline, after 20 warm-up steps. */
    memoryPipelineSteadyImagesPerSecond: rate(memory, Math.min(20, memory.batchAt.length - 2), memory.batchAt.length),
    memoryPipelinePeakRssMB: memory.peakRssMB,
  };
  const slope = (key: 'firstStepSeconds' | 'peakRssMB') =>
    previous && typeof previous[key] === 'number' && previous.images !== n
      ? figures[key] + ((figures[key] - previous[key]) / (n - previous.images!)) * (1_000_000 - n)
      : null;
  const perImage = (value: number) => (value / n) * 1_000_000;
  const extrapolation1M = {
    note:
      'Extrapolated, not measured: sizes and times per image of this run times 1,000,000; first step and peak memory along the two-point slope ' +
      `against the run at ${previous?.images ?? '(none saved)'} images; import at the pace of its last 10%.`,
    importSeconds: 1_000_000 / figures.importImagesPerSecondLast10Percent,
    databaseMB: perImage(figures.databaseMB),
    thumbnailsMB: perImage(figures.thumbnailsMB),
    pixelCacheFileMB: perImage(((stream.cache?.recordBytes ?? 0) * (stream.cache?.records ?? 0)) / 2 ** 20),
    epochSecondsFromCache: (1_000_000 * 0.8) / figures.steadyImagesPerSecond,
    firstStepSeconds: slope('firstStepSeconds'),
    peakRssMB: slope('peakRssMB'),
    comparedWith: previous?.images ?? null,
  };
  return { ...figures, extrapolation1M };
}

export type ScaleSummary = ReturnType<typeof scaleSummary>;

export function scaleTable(s: ScaleSummary): string {
  const f = (x: number | null, digits = 0) => (x === null ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const rows: [string, string, string][] = [
    ['images', f(s.images), ''],
    [
      'import images/s (all, first 10%, last 10%)',
      `${f(s.importImagesPerSecond)}, ${f(s.importImagesPerSecondFirst10Percent)}, ${f(s.importImagesPerSecondLast10Percent)}`,
      '≥ 1,000 sustained',
    ],
    [
      'database MB (thumbnails MB)',
      `${f(s.databaseMB)} (${f(s.thumbnailsMB)}, ${f((100 * s.thumbnailsMB) / Math.max(1e-9, s.databaseMB))}%)`,
      'thumbnails ≤ 25%',
    ],
    ['image folder MB', f(s.imagesFolderMB), ''],
    ['labels + split, s after start', f(s.labelsAndSplitSeconds, 1), ''],
    ['first step, s after start (streaming)', f(s.firstStepSeconds, 1), '≤ 15, flat 10k→100k'],
    ['images decoded at the first step', `${f(s.decodedAtFirstStep)} of ${f(s.pixelCache?.records ?? null)}`, ''],
    ['first epoch s, images/s (decoding alongside)', `${f(s.firstEpochSeconds)}, ${f(s.firstEpochImagesPerSecond)}`, ''],
    ['images decoded at the end of the first epoch', `${f(s.decodedAtFirstEpochEnd)} of ${f(s.pixelCache?.records ?? null)}`, ''],
    ['second epoch s, images/s (from the cache) = steady', `${f(s.secondEpochSeconds)}, ${f(s.steadyImagesPerSecond)}`, '≥ in-memory'],
    ['test split evaluation s (examples)', `${f(s.evaluationSeconds, 1)} (${f(s.testExamples)})`, ''],
    [
      'peak RSS of the training process MB (sampled), under a heap limit of MB',
      `${f(s.peakRssMB)} (${f(s.sampledPeakRssMB)}), ${f(s.heapLimitMB)}`,
      `≤ budget ${f(s.pixelCacheBudgetMB)} + 500, flat`,
    ],
    ['peak RSS less the pixel cache in memory MB', f(s.peakRssLessCacheMB), 'flat'],
    [
      'pixel cache: records, in memory MB, disk reads',
      `${f(s.pixelCache?.records ?? null)}, ${f((s.pixelCache?.memoryBytes ?? 0) / 2 ** 20, 1)}, ${f(s.pixelCache?.diskReads ?? null)}`,
      '',
    ],
    [
      `in-memory pipeline (${f(s.memoryPipelineExamples)} examples): decode-all s, first step s, steady images/s, peak RSS MB`,
      `${f(s.memoryPipelineDecodeAllSeconds, 1)}, ${f(s.memoryPipelineFirstStepSeconds, 1)}, ${f(s.memoryPipelineSteadyImagesPerSecond)}, ${f(s.memoryPipelinePeakRssMB)}`,
      'before issue 15',
    ],
  ];
  const e = s.extrapolation1M;
  const lines = rows.map(([name, value, goal]) => `${name.padEnd(100)} ${value.padStart(28)}   ${goal}`);
  lines.push(
    '',
    `extrapolated to 1,000,000 images (${e.note})`,
    `  import ${f(e.importSeconds)} s, database ${f(e.databaseMB)} MB (thumbnails ${f(e.thumbnailsMB)} MB), pixel cache file ${f(e.pixelCacheFileMB)} MB,` +
      ` an epoch from the cache ${f(e.epochSecondsFromCache)} s, first step ${f(e.firstStepSeconds, 1)} s, peak RSS ${f(e.peakRssMB)} MB`,
  );
  return lines.join('\n');
}
