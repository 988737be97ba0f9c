/**
 * A split's examples as the trainer reads them straight from the pixel cache (tests and
 * benchmarks in one process; training itself reads them through the data side, sides/):
 * labels resolved per batch, pixels standardized from the cached uint8 records per batch
 * (pixels.ts batchPixels, as the compute side does), and the random shifts drawn exactly as
 * the in-memory source draws them (memory-data.ts: same seed and step, same shifts), so every
 * source gives the same batches. An example whose image could not be read (the decoder skipped
 * it) keeps its row, so indices still line up with rows (evaluation maps rows to images), but
 * its pixels are zeros (a blank standardized image) and every head's mask is 0: it teaches and
 * counts nothing.
 */
import type { ModelSpec } from '../../../shared/model-spec.js';
import { batchLabels, PackedExamples, type Example } from '../data.js';
import type { ResolvedHead } from '../heads.js';
import type { LabelTable } from '../labels.js';
import { batchPixels, maskSkipped } from '../pixels.js';
import { seededRandom } from '../sampling.js';
import { tf } from '../tf.js';
import type { TrainData } from '../train-data.js';
import type { Decoder } from './decoder.js';
import { slotsOf, type DataPipeline } from './pipeline.js';
import type { PixelCache } from './pixel-cache.js';

export interface StreamSource {
  cache: PixelCache;
  decoder: Decoder;
  /** imageId → cache slot (-1: not in the pipeline's image set). */
  slotOf: Int32Array;
}

export function streamData(spec: ModelSpec, heads: ResolvedHead[], examples: Example[], labels: LabelTable, source: StreamSource, augmentSeed = 0): TrainData {
  const inputs = spec.inputs.map((i) => i.name);
  const input = spec.inputs[0]!;
  const { height: h, width: w, channels: c } = input;
  // Packed: the examples' objects are not kept for the data's life.
  const packed = PackedExamples.of(examples, inputs.length);
  const n = packed.length;
  // Slots and labels are looked up per batch, not for every example up front: at 100,000
  // examples that would cost seconds before the first step, and a batch needs only its own.
  const slots = (indices: ArrayLike<number>) => slotsOf(source, packed, indices);
  // This split's images are decoded in the background when nothing more pressing is left.
  source.decoder.ahead(slots(Array.from({ length: n }, (_, i) => i)));
  return {
    size: n,
    schedule(order: number[]) {
      source.decoder.schedule(slots(order));
    },
    prepare(indices: number[]) {
      return source.decoder.ensure(slots(indices));
    },
    decodeProgress: () => source.decoder.progress(),
    batch(indices: number[], augment: boolean, step = 0) {
      const random = augment ? seededRandom(augmentSeed * 1_000_003 + step) : null;
      const at = slots(indices);
      const skipped = new Uint8Array(indices.length);
      at.forEach((slot, j) => source.decoder.skipped(slot) && (skipped[Math.floor(j / inputs.length)] = 1));
      const batchInputs: Record<string, tf.Tensor4D> = {};
      inputs.forEach((name, k) => {
        const slotOf = (b: number) => at[b * inputs.length + k]!;
        const rawOf = (b: number) => (source.decoder.skipped(slotOf(b)) ? null : source.cache.get(slotOf(b)));
        batchInputs[name] = tf.tensor4d(batchPixels(rawOf, indices.length, input, spec.training.augmentShift, random), [indices.length, h, w, c]);
      });
      const batchLabelsOut = batchLabels(heads, packed, indices, inputs, labels);
      maskSkipped(batchLabelsOut, skipped);
      return { inputs: batchInputs, labels: batchLabelsOut };
    },
  };
}

/** A split's examples read from a pipeline's cache (augmentation drawn from `augmentSeed` and the step). */
export function pipelineData(pipeline: DataPipeline, examples: Example[], augmentSeed = 0): TrainData {
  return streamData(pipeline.spec, pipeline.heads, examples, pipeline.labels, pipeline, augmentSeed);
}
