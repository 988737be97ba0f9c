/**
 * Which images a grid shows or a labeling queue walks, and a label as a request gives it.
 * Below the API contract because the store's queries take the same filter.
 */
import { z } from 'zod';
import { MAX_SEQUENCE_CHARS } from './targets.js';

const id = z.number().int().positive();

export const labelInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.string().max(MAX_SEQUENCE_CHARS) }).strict(),
  z.object({ kind: z.literal('unknown') }).strict(),
]);

/** Which labels of a target a filter reads (imageFilterSchema's target.source). */
export const labelSources = ['human', 'imported', 'accepted', 'model'] as const;
export type LabelSourceFilter = (typeof labelSources)[number];
/** The sources whose labels carry a model's confidence (a range and the confidence order apply). */
export const sourceHasConfidence = (source: LabelSourceFilter) => source === 'model' || source === 'accepted';

/** How a grid or a queue orders images; every order ends on the image id, so pages never overlap. */
export const imageOrders = ['id', 'name', 'confidence', 'edited'] as const;
export type ImageOrder = (typeof imageOrders)[number];

/**
 * Which images a grid shows or a labeling queue walks. `status` counts human answers over
 * all targets; `target` narrows to one target's label state, class, source and confidence;
 * `name` matches the file name.
 */
export const imageFilterSchema = z
  .object({
    /** 'pending': at least one target not looked at; 'complete': every target answered; 'untouched': none. */
    status: z.enum(['any', 'pending', 'complete', 'untouched']).default('any'),
    /**
     * The file name (case-insensitive): a part of it, or a glob over the whole name when it has
     * `*`, `?` or `[` (`hn-00*.png`, `*[0-9].jpg`).
     */
    name: z.string().trim().max(256).optional(),
    target: z
      .object({
        targetId: id,
        /** 'pending': not looked at; 'answered': a value or unknown. Omitted: any. */
        state: z.enum(['pending', 'unknown', 'value', 'answered']).optional(),
        /** Only this class (length and categorical targets). */
        classId: id.optional(),
        /**
         * 'human': any human label (typed, accepted, derived or imported); 'imported': a human
         * label that came in with an import; 'accepted': a human label accepted from a model
         * suggestion; 'model': a model prediction for the target and no human label yet.
         */
        source: z.enum(labelSources).default('human'),
        /** The model's confidence (a prediction's, or an accepted suggestion's) at or above this. */
        minConfidence: z.number().min(0).max(1).optional(),
        /** The model's confidence at or below this. */
        maxConfidence: z.number().min(0).max(1).optional(),
      })
      .strict()
      .refine((t) => sourceHasConfidence(t.source) || (t.minConfidence === undefined && t.maxConfidence === undefined), {
        message: "a confidence range needs source 'model' or 'accepted' (typed and imported labels have no confidence)",
        path: ['source'],
      })
      .optional(),
    /**
     * 'id': import order; 'name': file name A→Z; 'confidence': lowest model confidence first (needs
     * target.source 'model' or 'accepted'); 'edited': the most recent human label change first,
     * never-edited images last. `reverse` turns any of them around.
     */
    order: z.enum(imageOrders).default('id'),
    reverse: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.order !== 'confidence' || (f.target !== undefined && sourceHasConfidence(f.target.source)), {
    message: "order 'confidence' needs a target with source 'model' or 'accepted'",
    path: ['order'],
  });
export type ImageFilter = z.output<typeof imageFilterSchema>;
