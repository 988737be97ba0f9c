/**
 * A split's examples as the trainer reads them, from the pixel cache: labels resolved per batch
 * (as the in-memory pipeline does), pixels standardized from
 * the cached uint8 records per batch, and the random shifts drawn exactly as the in-memory
 * pipeline draws them (data.ts toTrainData: same seed and step, same shifts), so the two give
 * the same batches. An example whose image could not be read (the decoder skipped it) keeps
 * its row, so indices still line up with rows (evaluation maps rows to images), but its pixels
 * are zeros (a blank standardized image) and every head's mask is 0: it teaches and counts nothing.
 */
import type { ModelSpec } from '../../../shared/model-spec.js';
import { labelIndex, type Example } from '../data.js';
import { standardizeShiftedInto } from '../decode.js';
import type { LabelTable } from '../labels.js';
import type { ResolvedHead } from '../model.js';
import { seededRandom } from '../sampling.js';
import { tf } from '../tf.js';
import type { TrainData } from '../train-data.js';
import type { HeadLabels } from '../train-step.js';
import type { Decoder } from './decoder.js';
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
  const size = h * w * c;
  const shift = spec.training.augmentShift;
  const n = examples.length;
  // Slots and labels are looked up per batch, not for every example up front: at 100,000
  // examples that would cost seconds before the first step, and a batch needs only its own.
  const slotAt = (i: number, k: number) => {
    const id = examples[i]!.imageIds[k]!;
    const slot = id < source.slotOf.length ? source.slotOf[id]! : -1;
    if (slot < 0) throw new Error(`image ${id} is not in the pipeline's image set`);
    return slot;
  };
  const slotsOf = (indices: number[]) => {
    const out: number[] = [];
    for (const i of indices) for (let k = 0; k < inputs.length; k++) out.push(slotAt(i, k));
    return out;
  };
  const lut = new Float64Array(256);
  // This split's images are decoded in the background when nothing more pressing is left.
  source.decoder.ahead(slotsOf(Array.from({ length: n }, (_, i) => i)));
  return {
    size: n,
    schedule(order: number[]) {
      source.decoder.schedule(slotsOf(order));
    },
    prepare(indices: number[]) {
      return source.decoder.ensure(slotsOf(indices));
    },
    decodeProgress: () => source.decoder.progress(),
    batch(indices: number[], augment: boolean, step = 0) {
      const random = seededRandom(augmentSeed * 1_000_003 + step);
      const batchInputs: Record<string, tf.Tensor4D> = {};
      const masked = new Uint8Array(indices.length);
      inputs.forEach((name, k) => {
        const buf = new Float32Array(indices.length * size);
        indices.forEach((i, b) => {
          const slot = slotAt(i, k);
          const out = buf.subarray(b * size, (b + 1) * size);
          // Drawn whether or not the image is skipped: the other examples keep the shifts they would have had.
          const dy = augment && shift > 0 ? Math.round((random() * 2 - 1) * shift) : 0;
          const dx = augment && shift > 0 ? Math.round((random() * 2 - 1) * shift) : 0;
          if (source.decoder.skipped(slot)) {
            masked[b] = 1;
            return; // zeros
          }
          standardizeShiftedInto(source.cache.get(slot), input, dy, dx, out, lut);
        });
        batchInputs[name] = tf.tensor4d(buf, [indices.length, h, w, c]);
      });
      const labelsOut: Record<string, HeadLabels> = {};
      heads.forEach((head) => {
        const index = new Int32Array(indices.length);
        const mask = new Float32Array(indices.length);
        indices.forEach((i, b) => {
          const l = masked[b] ? -1 : labelIndex(head, examples[i]!, inputs, labels);
          index[b] = Math.max(0, l);
          mask[b] = l >= 0 ? 1 : 0;
        });
        labelsOut[head.spec.name] = { index, mask };
      });
      return { inputs: batchInputs, labels: labelsOut };
    },
  };
}
