/**
 * Which images a grid shows or a labeling queue walks, and a label as a request gives it.
 * Below the API contract because the store's queries take the same filter.
 */
import { z } from 'zod';

const id = z.number().int().positive();

export const labelInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.string().max(64) }).strict(),
  z.object({ kind: z.literal('unknown') }).strict(),
]);

/**
 * Which images a grid shows or a labeling queue walks. `status` counts human answers over
 * all targets; `target` narrows to one target's label state, class, source and confidence.
 */
export const imageFilterSchema = z
  .object({
    /** 'pending': at least one target not looked at; 'complete': every target answered; 'untouched': none. */
    status: z.enum(['any', 'pending', 'complete', 'untouched']).default('any'),
    target: z
      .object({
        targetId: id,
        /** 'pending': not looked at; 'answered': a value or unknown. Omitted: any. */
        state: z.enum(['pending', 'unknown', 'value', 'answered']).optional(),
        /** Only this class (length and categorical targets). */
        classId: id.optional(),
        /** 'model': images with a model prediction for the target and no human label yet. */
        source: z.enum(['human', 'model']).default('human'),
        /** Model predictions at or below this confidence. */
        maxConfidence: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** 'confidence': lowest model confidence first (needs target.source 'model'). */
    order: z.enum(['id', 'confidence']).default('id'),
  })
  .strict();
export type ImageFilter = z.output<typeof imageFilterSchema>;
