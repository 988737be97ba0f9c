/** Request schemas of the API, by service and method, and the types derived from them. */
import { z } from 'zod';
import { imageFilterSchema, labelInputSchema } from '../image-filter.js';
import { modelSpecSchema } from '../model-spec.js';
import { classNameSchema, targetNameSchema } from '../names.js';

const id = z.number().int().positive();
/** Class names follow the importer's rules too (shared/names.ts). */
const name = classNameSchema;
const empty = z.object({}).strict();
/** Forces a training backend instead of the best one present. */
const backendName = z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);

/** A label's version as the caller last saw it (0: no label, not looked at). */
const version = z.number().int().min(0);
const coalesceKey = z.string().min(1).max(200);
/** One part of a training run's stored split. */
const splitPart = z.object({ runId: id, part: z.enum(['train', 'validation', 'test']) }).strict();

/** How an import reads what it is given: the same for paths on the server's disk and for a browser upload. */
const importOptionFields = {
  /** Reject images larger than this many pixels (width x height). */
  maxPixels: z.number().int().positive().max(100_000_000).optional(),
  /**
   * OCR line ground truth (NAME.gt.txt beside NAME.png, UTF-8, one line) becomes the value
   * of this sequence target; characters outside its alphabet are reported by file, or
   * added to the alphabet with `extendAlphabet`.
   */
  transcripts: z
    .object({ target: name, extendAlphabet: z.boolean().default(false) })
    .strict()
    .optional(),
  /**
   * Labels from folder names: each rule's categorical target (created if missing, classes
   * added) takes the name of the folder `level` levels above each image (1: its parent).
   */
  labelFromFolder: z
    .array(z.object({ target: targetNameSchema, level: z.number().int().min(1).max(32).default(1) }).strict())
    .max(8)
    .optional(),
};

/** Request schemas, by service and method. */
export const requests = {
  project: {
    info: empty,
    stats: empty,
  },
  targets: {
    list: empty,
    createCategorical: z.object({ name: targetNameSchema, classes: z.array(name).max(200).default([]) }).strict(),
    /**
     * A sequence target (a digit string, a word, a line of text) over a user-defined alphabet,
     * modelled up to maxLength positions, with a length target that follows it (classes
     * 0..maxLength and '>maxLength'), named `lengthName` (default NAME_length; null: none).
     */
    createSequence: z
      .object({
        name: targetNameSchema,
        alphabet: z.string().min(1).max(4000),
        maxLength: z.number().int().min(1).max(64),
        lengthName: targetNameSchema.nullable().optional(),
      })
      .strict(),
    /** A new name for a target; its labels, classes and keys stay. */
    rename: z.object({ targetId: id, name: targetNameSchema }).strict(),
    /**
     * Deletes a target with its labels (human and model) and classes, and a sequence's length
     * target with it; not undoable. A target with labels is refused, saying how many, unless `force`.
     */
    remove: z.object({ targetId: id, force: z.boolean().default(false) }).strict(),
    addClass: z.object({ targetId: id, name }).strict(),
    renameClass: z.object({ targetId: id, classId: id, name }).strict(),
    /** Moves every label of classId to intoClassId, then deletes classId. */
    mergeClass: z.object({ targetId: id, classId: id, intoClassId: id }).strict(),
    /**
     * Deletes a class. A class in use is refused unless `labels` says what becomes of its
     * labels: 'unknown' (explicitly unknown) or 'pending' (not looked at). To keep them, merge.
     */
    deleteClass: z.object({ targetId: id, classId: id, labels: z.enum(['refuse', 'unknown', 'pending']).default('refuse') }).strict(),
    /**
     * Sets (or clears, with null) the key that selects a class in the labeler, or for a target
     * without classId the key that jumps to the target (Alt+key). Stored with the project.
     */
    setHotkey: z
      .object({
        targetId: id,
        classId: id.optional(),
        hotkey: z
          .string()
          .regex(/^[a-z0-9]$/, 'one lowercase letter or digit')
          .nullable(),
      })
      .strict(),
  },
  images: {
    list: z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        filter: imageFilterSchema.default({ status: 'any', order: 'id' }),
        /**
         * The `next` cursor of the page before (same filter and order): the page starts right
         * after it and `offset` is not applied, only echoed (the client says where it is). Deep
         * pages cost what the first does; offset paging stays for jumping anywhere.
         */
        after: z.string().max(2000).optional(),
      })
      .strict(),
    get: z.object({ id }).strict(),
    /** The ids a labeling queue walks, in order. */
    ids: z.object({ filter: imageFilterSchema.default({ status: 'any', order: 'id' }) }).strict(),
  },
  annotations: {
    /**
     * Sets one human label. Edits sharing a coalesceKey (one field being typed) form one undo step.
     * `expectedVersion` is the label's version the edit was made against (0: not looked at); a
     * write against a stale version is refused with a conflict and nothing is written.
     */
    set: z.object({ imageId: id, targetId: id, label: labelInputSchema, coalesceKey: coalesceKey.optional(), expectedVersion: version.optional() }).strict(),
    /** Back to "not looked at". */
    clear: z.object({ imageId: id, targetId: id, coalesceKey: coalesceKey.optional(), expectedVersion: version.optional() }).strict(),
    /**
     * Makes the model's suggestion for a target the human label, as a deliberate act (one undo
     * step). The label keeps its provenance (origin 'accepted', the run and the confidence).
     */
    accept: z.object({ imageId: id, targetId: id, expectedVersion: version.optional() }).strict(),
    /**
     * Accepts the suggestions of several targets of one image at once (Shift+A), only those at or
     * above `minConfidence` and only where no human label exists (or it is still at `expectedVersion`);
     * one undo step. Targets skipped are listed with the reason.
     */
    acceptMany: z
      .object({
        imageId: id,
        targets: z
          .array(z.object({ targetId: id, expectedVersion: version.optional() }).strict())
          .min(1)
          .max(200),
        minConfidence: z.number().min(0).max(1).default(0),
      })
      .strict(),
    /** One label for many images (given by id, or every image matching a filter), as one undo step. */
    bulkSet: z
      .object({
        imageIds: z.array(id).min(1).max(200_000).optional(),
        filter: imageFilterSchema.optional(),
        targetId: id,
        label: labelInputSchema,
      })
      .strict()
      .refine((r) => (r.imageIds === undefined) !== (r.filter === undefined), {
        message: 'give either imageIds or filter',
        path: ['imageIds'],
      }),
    undo: empty,
    redo: empty,
    history: empty,
  },
  training: {
    /** The backend training would run on here, and why. */
    backend: empty,
    /** The example specs shipped in resources/specs. */
    specs: empty,
    runs: empty,
    /** Starts a run of a model spec in a worker; progress arrives as training.progress events. */
    start: z
      .object({
        spec: modelSpecSchema,
        name: z.string().min(1).max(120).optional(),
        backend: backendName.optional(),
      })
      .strict(),
    control: z.object({ runId: id, action: z.enum(['pause', 'resume', 'cancel']) }).strict(),
    /**
     * The test images a head got wrong, most confident first: the labels most likely to be wrong
     * themselves (a queue to review in the labeler). Every head when `head` is omitted.
     */
    mistakes: z.object({ runId: id, head: z.string().min(1).max(48).optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    /** Checks a spec against the project as Start would (targets, positions, classes), without starting anything. */
    check: z.object({ spec: z.unknown() }).strict(),
    /** Continues a stopped run (crash, kill, cancel) from its last checkpoint. */
    resume: z.object({ runId: id, backend: backendName.optional() }).strict(),
    /** Every recorded metric of a run (curves). */
    metrics: z.object({ runId: id }).strict(),
    /** The test evaluation of a finished run. */
    evaluation: z.object({ runId: id }).strict(),
    /** The images behind one cell of a head's confusion matrix, most confident first. */
    cell: z.object({ runId: id, head: z.string().min(1).max(48), trueIndex: z.number().int().min(0), predIndex: z.number().int().min(0) }).strict(),
    /** Stores a run's predictions as model-sourced labels (never over human labels). */
    predict: z.object({ runId: id, all: z.boolean().default(false) }).strict(),
    /** Writes a run's model in TensorFlow.js format (model.json, weights.bin) and polyhead.json to the folder `out`. */
    export: z.object({ runId: id, out: z.string().min(1).max(4096) }).strict(),
  },
  imports: {
    start: z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
        ...importOptionFields,
      })
      .strict(),
    status: z.object({ jobId: z.string().min(1).max(64) }).strict(),
    /** The jobs of this session, newest first: counts and the first few problems of each (`status` gives one job's full report). */
    list: empty,
    /** Starts a browser upload (server mode): a folder in the project its files are PUT into (api/uploads/<id>). */
    beginUpload: empty,
    /** Imports an upload's files (images with their label files) like a folder, then removes the upload. */
    startUpload: z.object({ uploadId: z.uuid(), ...importOptionFields }).strict(),
    /** Stops a running import: no new file is taken, what was loaded is stored. */
    cancel: z.object({ jobId: z.string().min(1).max(64) }).strict(),
  },
  exports: {
    /**
     * One page of a labels export, in image-id order: CSV (its header on the first page) or JSONL,
     * one row per image with the importer's columns (shared/label-file.ts). Call again with
     * `after: next` and the `targetIds` the first page answered until `next` is null.
     */
    labels: z
      .object({
        format: z.enum(['csv', 'jsonl']),
        /** The targets (columns) to export; all when omitted. */
        targetIds: z.array(id).min(1).max(200).optional(),
        /** Only images with a human label (a value or unknown) of one of the exported targets. */
        labeledOnly: z.boolean().default(false),
        /** Only images whose human label of this target is this class. */
        classOf: z.object({ targetId: id, classId: id }).strict().optional(),
        /** Only the images of one part of a run's split. */
        split: splitPart.optional(),
        /** Where an image has no human label of a target, its model prediction (source 'model', run, confidence). */
        predictions: z.boolean().default(false),
        after: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(1000),
      })
      .strict(),
    /**
     * Writes images for training elsewhere into the folder `out` (on the machine running the
     * services): 'folders', one folder per class of a categorical target (torchvision ImageFolder,
     * Keras image_dataset_from_directory), in train/val/test folders by a run's split when
     * `splitRunId` is given; 'jsonl', images/ and manifest.jsonl with every target. A folder that
     * is not empty is refused unless `force`. Progress arrives as export.progress events.
     */
    dataset: z
      .object({
        out: z.string().min(1).max(4096),
        format: z.enum(['folders', 'jsonl']),
        targetId: id.optional(),
        splitRunId: id.optional(),
        labeledOnly: z.boolean().default(false),
        force: z.boolean().default(false),
      })
      .strict()
      .refine((r) => r.format !== 'folders' || r.targetId !== undefined, { message: "the 'folders' format needs a categorical target", path: ['targetId'] }),
  },
} as const;

type Requests = typeof requests;
export type ServiceName = keyof Requests;
export type MethodName<S extends ServiceName> = keyof Requests[S] & string;
/** "service.method" for every method of the contract. */
export type QualifiedMethod = { [S in ServiceName]: `${S}.${MethodName<S>}` }[ServiceName];
/** What a caller passes: the schema's input (defaults may be omitted). */
export type RequestOf<S extends ServiceName, M extends MethodName<S>> = z.input<Requests[S][M]>;
/** What a handler receives: the parsed request with defaults filled in. */
export type ParsedRequestOf<S extends ServiceName, M extends MethodName<S>> = z.output<Requests[S][M]>;
