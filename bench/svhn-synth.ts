/**
 * `npm run bench:svhn-synth`: font generalisation and font invariance on synthetic house numbers.
 *
 * 1. `polyhead synth --kind house-numbers --holdout 0.25` renders crops, a quarter of the font
 *    families of every style group held out (heldout/); 2. both folders are imported.
 * 3. Three models are trained on the train-font crops, one per process:
 *    - plain: a length head (0..5, >5) and five digit heads masked where the digit is absent;
 *    - font-head: the same plus an ordinary font_style head (the trunk is asked to keep the font);
 *    - adversarial: the same plus a font_style head behind gradient reversal (DANN λ ramp).
 * 4. Tested on the held-out fonts: sequence and digit accuracy, coverage at 98% (Goodfellow 2013), font head vs chance.
 * 5. A probe — a fresh MLP trained on the frozen trunk features of train-font crops — reads
 *    font_style back from each trunk, scored on unseen crops of the train fonts and on the
 *    held-out fonts, next to chance: the trunk unlearned the font if the probe falls to chance.
 *
 * Prints the table, writes bench/results/svhn-synth.json (-bn.json with --bn on). Full sizes: 30 min on 2 cores.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseModelSpec, type ModelSpec, type ModelSpecInput } from '../shared/model-spec.js';
import { runImport } from '../electron/importer/importer.js';
import { Project } from '../electron/domain/project.js';
import { selectBackend } from '../electron/engine/backend.js';
import { decodeImages, readLabels, type Example } from '../electron/engine/data.js';
import { toTrainData } from '../electron/engine/memory-data.js';
import { evaluate } from '../electron/engine/evaluation.js';
import { MultiHeadModel } from '../electron/engine/model.js';
import { tf } from '../electron/engine/tf.js';
import { permutation } from '../electron/engine/sampling.js';
import { runTraining } from '../electron/engine/trainer.js';
import { synthesize } from '../electron/synth/generator.js';
import { runAsScript, writeResult } from './common.js';
import { features, majority, probe } from './probe.js';
import { table, type Variant, type VariantResult } from './svhn-synth-report.js';
export { table, type Variant, type VariantResult } from './svhn-synth-report.js';

export interface BenchSizes {
  /** Crops rendered (train and held-out fonts together). */
  count: number;
  /** Share of font families held out, per style group. */
  holdout: number;
  epochs: number;
  seed: number;
  /** DANN λ at the end of training. */
  lambdaMax: number;
  /** Batch norm in the trunk (`--bn on`; default off: with it, this model learns the digits more slowly, in PyTorch too). */
  batchNorm?: boolean;
}

export const FULL: BenchSizes = { count: 18000, holdout: 0.25, epochs: 10, seed: 1, lambdaMax: 1, batchNorm: false };

export interface Prepared {
  dataDir: string;
  /** Image ids of the train-font crops and of the held-out-font crops. */
  trainIds: number[];
  heldoutIds: number[];
  fontsUsed: string[];
  heldOutFonts: string[];
  missingFonts: string[];
  importSeconds: number;
  synthSeconds: number;
}

/** Renders the crops with a font hold-out and imports both folders into a new project in `dir`. */
export async function prepare(dir: string, sizes: BenchSizes): Promise<Prepared> {
  let t = performance.now();
  const synth = await synthesize({ out: path.join(dir, 'synth'), kind: 'house-numbers', count: sizes.count, seed: sizes.seed, holdout: sizes.holdout });
  const synthSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const dataDir = path.join(dir, 'project');
  const project = Project.open(dataDir);
  try {
    const summary = await runImport({ store: project.store, dataDir: project.dataDir }, { paths: synth.dirs });
    if (summary.rejected.length > 0 || summary.labelProblems.length > 0) {
      throw new Error(`import problems: ${JSON.stringify({ rejected: summary.rejected.slice(0, 3), labels: summary.labelProblems.slice(0, 3) })}`);
    }
    const trainIds: number[] = [];
    const heldoutIds: number[] = [];
    const heldDir = synth.dirs[1]!;
    for (const f of synth.files) {
      // A crop identical to an earlier one is stored once (first wins); keep the first id only.
      const id = project.store.images.idsByName(f.file)[0];
      if (id === undefined) continue;
      (f.dir === heldDir ? heldoutIds : trainIds).push(id);
    }
    return {
      dataDir,
      trainIds,
      heldoutIds,
      fontsUsed: synth.fontsUsed,
      heldOutFonts: synth.heldOut,
      missingFonts: synth.missing.map((m) => `${m.family} (${m.pkg})`),
      importSeconds: (performance.now() - t) / 1000,
      synthSeconds,
    };
  } finally {
    project.close();
  }
}

/** The house-number model spec; the adversarial variant adds the font_style head behind gradient reversal. */
export function benchSpec(variant: Variant, sizes: BenchSizes): ModelSpec {
  const input: ModelSpecInput = {
    name: `svhn-synth ${variant}`,
    inputs: [{ name: 'x', height: 32, width: 64, channels: 1 }],
    trunk: { preset: 'conv', depth: 3, width: 16, growth: 2, batchNorm: sizes.batchNorm ?? false, dense: 128 },
    heads: [
      { name: 'length', target: { kind: 'target', target: 'length' } },
      ...[0, 1, 2, 3, 4].map((position) => ({ name: `d${position}`, target: { kind: 'position' as const, target: 'digits', position } })),
      ...(variant === 'adversarial'
        ? [
            {
              name: 'font_style',
              target: { kind: 'target' as const, target: 'font_style' },
              hidden: [128],
              adversarial: { lambda: { schedule: 'dann' as const, max: sizes.lambdaMax } },
            },
          ]
        : variant === 'font-head'
          ? [{ name: 'font_style', target: { kind: 'target' as const, target: 'font_style' }, hidden: [128] }]
          : []),
    ],
    training: {
      epochs: sizes.epochs,
      batchSize: 32,
      learningRate: 0.003,
      schedule: { type: 'cosine' },
      augmentShift: 2,
      seed: sizes.seed,
      validation: 0,
      test: 0,
    },
  };
  const parsed = parseModelSpec(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.spec;
}

/** Trains one variant on the train fonts and measures it on the held-out fonts. */
export async function runVariant(prepared: Prepared, variant: Variant, sizes: BenchSizes, log: (line: string) => void = () => {}): Promise<VariantResult> {
  const choice = await selectBackend();
  const spec = benchSpec(variant, sizes);
  const project = Project.open(prepared.dataDir);
  try {
    const targets = project.store.targets.list();
    const model = new MultiHeadModel(spec, targets);
    const labels = readLabels(project);
    // Train fonts: 90% to train, 10% kept unseen for the probe; held-out fonts: the test set.
    const order = permutation(prepared.trainIds.length, sizes.seed * 13 + 5);
    const nProbe = Math.max(1, Math.round(prepared.trainIds.length * 0.1));
    const asExamples = (ids: number[]): Example[] => ids.map((id) => ({ imageIds: [id] }));
    const unseen = asExamples(order.slice(0, nProbe).map((i) => prepared.trainIds[i]!));
    const train = asExamples(order.slice(nProbe).map((i) => prepared.trainIds[i]!));
    const test = asExamples(prepared.heldoutIds);
    const decoded = await decodeImages(project, [...prepared.trainIds, ...prepared.heldoutIds], spec.inputs[0]!);
    const data = (examples: Example[], seed: number) => toTrainData(spec, model.resolved, examples, decoded, labels, seed);
    const started = performance.now();
    const outcome = await runTraining({
      model,
      train: data(train, sizes.seed),
      onProgress: (p) => {
        if (p.kind !== 'epoch') return;
        const acc = (h: string) => (p.heads[h]?.accuracy ?? 0).toFixed(3);
        log(
          `${variant}: epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(3)} length ${acc('length')} d0 ${acc('d0')} d1 ${acc('d1')}` +
            (variant !== 'plain' ? ` font ${acc('font_style')} λ ${p.heads.font_style?.lambda?.toFixed(3)}` : '') +
            ` ${((performance.now() - started) / 1000).toFixed(0)} s`,
        );
      },
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const evaluation = await evaluate(model, data(test, 0), (i) => test[i]!.imageIds[0]!, targets);
    const head = (name: string) => evaluation.heads.find((h) => h.head === name);
    const sequence = evaluation.sequences[0];
    const fontHead = head('font_style');
    // The probe reads font_style from the frozen trunk.
    const fontTarget = targets.find((t) => t.name === 'font_style')!;
    const fontClasses = fontTarget.classes.map((c) => c.name);
    const fontOf = (examples: Example[]) => examples.map((e) => fontClasses.indexOf(labels.value(e.imageIds[0]!, 'font_style') ?? ''));
    const probeFit = train.filter((_, i) => i % 2 === 0).slice(0, 6000);
    const fit = { x: features(model, data(probeFit, 0)), y: fontOf(probeFit) };
    const seen = { x: features(model, data(unseen, 0)), y: fontOf(unseen) };
    const held = { x: features(model, data(test, 0)), y: fontOf(test) };
    const [seenAcc, heldAcc] = await probe(fit, [seen, held], fontClasses.length, 100, sizes.seed);
    tf.dispose([fit.x, seen.x, held.x]);
    model.dispose();
    return {
      variant,
      backend: choice.name,
      trainExamples: train.length,
      testExamples: test.length,
      steps: outcome.step,
      trainSeconds,
      msPerStep: (trainSeconds * 1000) / Math.max(1, outcome.step),
      sequenceAccuracy: sequence?.accuracy ?? null,
      sequenceCount: sequence?.count ?? 0,
      coverageAt98: sequence?.coverageAt98 ?? null,
      lengthAccuracy: head('length')?.accuracy ?? null,
      digitAccuracy: Object.fromEntries([0, 1, 2, 3, 4].map((k) => [`d${k}`, head(`d${k}`)?.accuracy ?? null])),
      fontHead: fontHead ? { accuracy: fontHead.accuracy, chance: majority(held.y) } : null,
      probe: { seenFonts: seenAcc!, seenFontsChance: majority(seen.y), heldoutFonts: heldAcc!, heldoutFontsChance: majority(held.y) },
    };
  } finally {
    project.close();
  }
}

interface ChildMessage {
  log?: string;
  result?: VariantResult;
  error?: string;
}

/** Runs one variant in a child process (one core each). */
function inChild(prepared: Prepared, variant: Variant, sizes: BenchSizes): Promise<VariantResult> {
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(import.meta.url), ['--child', variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker.send({ prepared, sizes });
    worker.on('message', (m: ChildMessage) => {
      if (m.log) console.log(m.log);
      if (m.result) resolve(m.result);
      if (m.error) reject(new Error(`${variant}: ${m.error}`));
    });
    worker.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`${variant}: child exited with ${code}`))));
  });
}

/** `--count N --epochs E --lambda L --seed S --bn on|off --variants a,b`; `--child VARIANT` in the forked processes. */
const args = () =>
  parseArgs({
    options: {
      count: { type: 'string' },
      epochs: { type: 'string' },
      lambda: { type: 'string' },
      seed: { type: 'string' },
      bn: { type: 'string' },
      variants: { type: 'string' },
      child: { type: 'string' },
    },
  }).values;

async function main(): Promise<void> {
  const given = args();
  const sizes: BenchSizes = {
    ...FULL,
    ...(given.count ? { count: Number(given.count) } : {}),
    ...(given.epochs ? { epochs: Number(given.epochs) } : {}),
    ...(given.lambda ? { lambdaMax: Number(given.lambda) } : {}),
    ...(given.seed ? { seed: Number(given.seed) } : {}),
    ...(given.bn ? { batchNorm: given.bn === 'on' } : {}),
  };
  const started = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'polyhead-svhn-synth-'));
  try {
    const choice = await selectBackend();
    console.log(
      `svhn-synth: ${sizes.count} synthetic house-number crops, ${sizes.holdout * 100}% of font families held out per style group; ` +
        `32x64 grey input (letterboxed), conv 16/32/64${sizes.batchNorm ? ' + batch norm' : ''} + dense 128, batch 32, ${sizes.epochs} epochs, cosine LR from 0.003, ±2 px shifts, seed ${sizes.seed}; ` +
        `DANN λ up to ${sizes.lambdaMax}; backend ${choice.name}; the three models in parallel on ${os.availableParallelism()} cores. ` +
        `Sizes chosen to finish within 30 minutes on 2 cores with wasm.`,
    );
    const prepared = await prepare(dir, sizes);
    console.log(
      `rendered in ${prepared.synthSeconds.toFixed(0)} s, imported in ${prepared.importSeconds.toFixed(0)} s: ${prepared.trainIds.length} train-font crops, ${prepared.heldoutIds.length} held-out-font crops\n` +
        `held-out fonts: ${prepared.heldOutFonts.join(', ')}\n` +
        (prepared.missingFonts.length > 0 ? `fonts not installed: ${prepared.missingFonts.join(', ')}\n` : ''),
    );
    const variants = (given.variants?.split(',') ?? ['plain', 'font-head', 'adversarial']) as Variant[];
    const results = await Promise.all(variants.map((v) => inChild(prepared, v, sizes)));
    const minutes = (performance.now() - started) / 60000;
    console.log(`\n${table(results)}\n\n${minutes.toFixed(1)} min in all`);
    await writeResult(sizes.batchNorm ? 'svhn-synth-bn' : 'svhn-synth', {
      sizes,
      minutes,
      fonts: { used: prepared.fontsUsed, heldOut: prepared.heldOutFonts, missing: prepared.missingFonts },
      results,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(variant: Variant): Promise<void> {
  const { prepared, sizes } = await new Promise<{ prepared: Prepared; sizes: BenchSizes }>((resolve) => process.once('message', (m) => resolve(m as never)));
  try {
    const result = await runVariant(prepared, variant, sizes, (log) => process.send!({ log }));
    process.send!({ result }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
  }
}

runAsScript('svhn-synth', () => {
  const variant = args().child as Variant | undefined;
  return variant ? child(variant) : main();
});
