/**
 * The model spec: a shared trunk (or one per input) and named heads, each bound to a target,
 * with loss weights (Keras loss_weights), class weights, masks and adversarial heads behind
 * a gradient-reversal layer. Stored with every run. Runtime-neutral (zod only).
 */
import { z } from 'zod';

const ident = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and contain only letters, digits and "_"');
const positive = z.number().int().positive();

/** The most pixels (height x width) an input may have: 512 x 512, or e.g. 64 x 1024 for text lines. */
export const MAX_INPUT_PIXELS = 512 * 512;

export const inputSpecSchema = z
  .object({
    name: ident,
    /**
     * Images are resized to height x width (each side 8..1024, height x width at most 512 x 512):
     * training keeps every decoded image in memory as 32-bit floats (height x width x channels x
     * 4 bytes each: 10,000 images of 128 x 128 x 1 take 655 MB), and activations grow with the area.
     */
    height: z.number().int().min(8).max(1024),
    width: z.number().int().min(8).max(1024),
    channels: z.union([z.literal(1), z.literal(3)]).default(1),
    /**
     * How an image of another aspect ratio reaches height x width. 'letterbox' (default): scaled
     * to fit with its aspect ratio kept, centred, padded with the mean colour of its own border;
     * 'stretch': scaled to exactly height x width (aspect ratio lost); 'crop': scaled to cover
     * height x width with its aspect ratio kept, the overflow cut evenly.
     */
    resize: z.enum(['letterbox', 'stretch', 'crop']).default('letterbox'),
  })
  .strict()
  .refine((i) => i.height * i.width <= MAX_INPUT_PIXELS, {
    message: `height x width may be at most ${MAX_INPUT_PIXELS} pixels (512 x 512)`,
    path: ['width'],
  });

export const trunkSpecSchema = z.discriminatedUnion('preset', [
  z
    .object({
      preset: z.literal('mlp'),
      hidden: z.array(positive.max(4096)).min(1).max(6).default([256, 128]),
      dropout: z.number().min(0).max(0.9).default(0),
    })
    .strict(),
  z
    .object({
      /** LeCun et al. 1998: conv 6@5x5, pool, conv 16@5x5, pool, dense 120, dense 84 (valid padding adapted to small inputs). */
      preset: z.literal('lenet5'),
      dropout: z.number().min(0).max(0.9).default(0),
    })
    .strict(),
  z
    .object({
      /** SVHN-style stack (Goodfellow et al. 2013): `depth` blocks of conv 3x3 (+ batch norm) + ReLU + max-pool, then dense. */
      preset: z.literal('conv'),
      depth: z.number().int().min(1).max(8).default(3),
      /** Filters of the first block; each block multiplies by `growth`. */
      width: z.number().int().min(4).max(512).default(32),
      growth: z.number().min(1).max(4).default(2),
      batchNorm: z.boolean().default(true),
      /**
       * Keras momentum of the batch-norm moving averages (weight kept by the old value each
       * step): 0.9 equals PyTorch's default (its momentum 0.1). Keras' 0.99 needs thousands of
       * steps to forget the initial statistics. Evaluation does not depend on it: the
       * population statistics are recomputed over the training set after every epoch.
       */
      batchNormMomentum: z.number().min(0).max(0.999).default(0.9),
      dropout: z.number().min(0).max(0.9).default(0),
      dense: positive.max(8192).default(256),
    })
    .strict(),
]);

/** What a head predicts. */
export const headTargetSchema = z.discriminatedUnion('kind', [
  /** A categorical or length target of the image fed to `input`. */
  z.object({ kind: z.literal('target'), target: ident, input: ident.optional() }).strict(),
  /** Position `position` (0-based) of a sequence target: masked where the sequence is shorter (Goodfellow et al. 2013). */
  z.object({ kind: z.literal('position'), target: ident, position: z.number().int().min(0).max(63), input: ident.optional() }).strict(),
  /** A derived pairwise target: is the first character of `target` on input a ≤ (or <, =) the one on input b. Classes: false, true. */
  z.object({ kind: z.literal('compare'), target: ident, op: z.enum(['le', 'lt', 'eq']), a: ident, b: ident }).strict(),
]);

export const lambdaSchema = z.union([
  z.number().min(0).max(10),
  /** DANN: λ_p = max · (2 / (1 + exp(−10p)) − 1), p = training progress in [0, 1]. */
  z.object({ schedule: z.literal('dann'), max: z.number().min(0).max(10).default(1) }).strict(),
]);

export const headSpecSchema = z
  .object({
    name: ident,
    target: headTargetSchema,
    /** Trunk features of these inputs, concatenated, feed the head (default: the target's input, or the first input). */
    from: z.array(ident).min(1).optional(),
    /** Class names in output order; derived from the target when omitted. */
    classes: z.array(z.string().min(1).max(64)).min(2).max(1000).optional(),
    hidden: z.array(positive.max(4096)).max(4).default([]),
    lossWeight: z.number().min(0).max(1000).default(1),
    classWeights: z.record(z.string(), z.number().min(0).max(1000)).optional(),
    /** 'label': no loss and no gradient where the label is unknown or missing (positions: past the sequence end). 'none': only examples with this label are used. */
    mask: z.enum(['label', 'none']).default('label'),
    /** Behind a gradient-reversal layer: the head learns its target, the trunk learns to defeat it. */
    adversarial: z.object({ lambda: lambdaSchema }).strict().optional(),
  })
  .strict();

export const trainingSpecSchema = z
  .object({
    epochs: z.number().int().min(1).max(10_000).default(10),
    batchSize: z.number().int().min(1).max(4096).default(32),
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
    learningRate: z.number().positive().max(10).default(1e-3),
    momentum: z.number().min(0).max(1).default(0.9),
    /** 'step': × gamma every stepEpochs; 'cosine': to 0 over the run. */
    schedule: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('constant') }).strict(),
        z.object({ type: z.literal('step'), stepEpochs: positive.default(10), gamma: z.number().positive().max(1).default(0.1) }).strict(),
        z.object({ type: z.literal('cosine') }).strict(),
      ])
      .default({ type: 'constant' }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    /** Fractions of the labelled images held out, stratified by the first head's label. */
    validation: z.number().min(0).max(0.5).default(0.1),
    test: z.number().min(0).max(0.5).default(0.1),
    /** Random shifts of up to this many pixels (SVHN paper: random crops). */
    augmentShift: z.number().int().min(0).max(16).default(0),
    /**
     * Memory budget of the decoded-pixel cache, in MB: images decoded beyond it are kept in a
     * cache file on disk and read back from there (engine/pipeline/), so memory stays flat
     * whatever the data set's size.
     */
    pixelCacheMB: z.number().int().min(1).max(1_048_576).default(1024),
    /** Progress messages every this many steps. */
    reportEvery: positive.max(10_000).default(20),
    /**
     * How the labelled images are split. `groupBy` keeps every group on one side, so no source
     * is in both train and test: images from one folder ('folder'), one import ('import'), or
     * sharing a value of a target such as a page or a writer ({ target }). `testWhere` names an
     * explicit test set instead of a random share: the images with that value of a target.
     */
    split: z
      .object({
        groupBy: z.union([z.enum(['folder', 'import']), z.object({ target: z.string().min(1) }).strict()]).optional(),
        testWhere: z
          .object({ target: z.string().min(1), value: z.string().min(1) })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /**
     * Stop when the validation loss has not improved by more than minDelta for `patience` epochs
     * (the epoch with the lowest validation loss is evaluated either way).
     */
    earlyStopping: z
      .object({ patience: positive.max(1000), minDelta: z.number().min(0).default(0) })
      .strict()
      .optional(),
  })
  .strict();

export const modelSpecSchema = z
  .object({
    name: z.string().min(1).max(120),
    description: z.string().max(2000).optional(),
    inputs: z.array(inputSpecSchema).min(1).max(8),
    trunk: trunkSpecSchema,
    /** One trunk applied to every input (siamese weight sharing); false: one trunk per input. */
    shareTrunk: z.boolean().default(true),
    heads: z.array(headSpecSchema).min(1).max(64),
    training: trainingSpecSchema.default(trainingSpecSchema.parse({})),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const inputs = new Set(spec.inputs.map((i) => i.name));
    if (inputs.size !== spec.inputs.length) ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'input names must be unique' });
    const shapes = new Set(spec.inputs.map((i) => `${i.height}x${i.width}x${i.channels}`));
    if (spec.shareTrunk && shapes.size > 1) {
      ctx.addIssue({ code: 'custom', path: ['shareTrunk'], message: 'a shared trunk needs every input to have the same height, width and channels' });
    }
    const names = new Set<string>();
    spec.heads.forEach((head, i) => {
      if (names.has(head.name)) ctx.addIssue({ code: 'custom', path: ['heads', i, 'name'], message: `head name '${head.name}' is used twice` });
      names.add(head.name);
      const refs: [string, (string | number)[]][] = (head.from ?? []).map((f, j) => [f, ['heads', i, 'from', j]]);
      const t = head.target;
      if (t.kind === 'compare') refs.push([t.a, ['heads', i, 'target', 'a']], [t.b, ['heads', i, 'target', 'b']]);
      else if (t.input) refs.push([t.input, ['heads', i, 'target', 'input']]);
      for (const [ref, path] of refs) {
        if (!inputs.has(ref)) ctx.addIssue({ code: 'custom', path, message: `no input named '${ref}' (inputs: ${[...inputs].join(', ')})` });
      }
      if (t.kind === 'compare' && head.classes && head.classes.length !== 2) {
        ctx.addIssue({ code: 'custom', path: ['heads', i, 'classes'], message: 'a compare head has exactly two classes: false, true' });
      }
    });
  });

export type ModelSpec = z.output<typeof modelSpecSchema>;
export type ModelSpecInput = z.input<typeof modelSpecSchema>;
export type HeadSpec = z.output<typeof headSpecSchema>;
export type TrunkSpec = z.output<typeof trunkSpecSchema>;
export type InputSpec = z.output<typeof inputSpecSchema>;
export type TrainingSpec = z.output<typeof trainingSpecSchema>;

/** Parses a spec; on failure, one line per problem naming the field ("heads.2.target.a: no input named 'c'"). */
export function parseModelSpec(value: unknown): { ok: true; spec: ModelSpec } | { ok: false; errors: string[] } {
  const parsed = modelSpecSchema.safeParse(value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(spec)'}: ${i.message}`),
  };
}

/**
 * A spec as a run stored it, ready to parse: inputs stored before `resize` existed were
 * trained on stretched images, so they read back as 'stretch' (runs store the parsed spec,
 * every field present, so a missing `resize` marks such a run). Use it wherever a stored
 * spec is parsed (prediction, export, resume); new specs go to parseModelSpec as they are.
 */
export function storedSpec(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null || !Array.isArray((stored as { inputs?: unknown }).inputs)) return stored;
  const s = stored as { inputs: unknown[] };
  return { ...s, inputs: s.inputs.map((i) => (typeof i === 'object' && i !== null && !('resize' in i) ? { ...i, resize: 'stretch' } : i)) };
}

/** λ of an adversarial head at training progress p ∈ [0, 1]. */
export function lambdaAt(lambda: z.output<typeof lambdaSchema>, progress: number): number {
  if (typeof lambda === 'number') return lambda;
  const p = Math.min(1, Math.max(0, progress));
  return lambda.max * (2 / (1 + Math.exp(-10 * p)) - 1);
}

/** The inputs whose trunk features feed a head. */
export function headInputs(spec: ModelSpec, head: HeadSpec): string[] {
  if (head.from) return head.from;
  const t = head.target;
  if (t.kind === 'compare') return [t.a, t.b];
  return [t.input ?? spec.inputs[0]!.name];
}
