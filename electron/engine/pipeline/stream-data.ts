/**
 * A split's examples as the trainer reads them, from the pixel cache: labels resolved once per
 * example and head (one Int32Array per head, not a lookup per batch), pixels standardized from
 * the cached uint8 records per batch, and the random shifts drawn exactly as the in-memory
 * pipeline draws them (data.ts toTrainData: same seed and step, same shifts), so the two give
 * the same batches.
 */
import type { ModelSpec } from '../../../shared/model-spec.js';
import { labelIndex, shifted, type Example, type ImageLabels } from '../data.js';
import { standardizeInto } from '../decode.js';
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
  /** imageId → cache slot. */
  slotOf: Map<number, number>;
}

export function streamData(
  spec: ModelSpec,
  heads: ResolvedHead[],
  examples: Example[],
  labels: Map<number, ImageLabels>,
  source: StreamSource,
  augmentSeed = 0,
): TrainData {
  const inputs = spec.inputs.map((i) => i.name);
  const input = spec.inputs[0]!;
  const { height: h, width: w, channels: c } = input;
  const size = h * w * c;
  const shift = spec.training.augmentShift;
  const n = examples.length;
  // Plain loops: TypedArray.from with a mapping function takes V8's slow generic path (seconds at 100,000 examples).
  const slots = new Int32Array(n * inputs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) {
      const slot = source.slotOf.get(examples[i]!.imageIds[k]!);
      if (slot === undefined) throw new Error(`image ${examples[i]!.imageIds[k]} is not in the pipeline's image set`);
      slots[i * inputs.length + k] = slot;
    }
  }
  const headLabels = heads.map((head) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = labelIndex(head, examples[i]!, inputs, labels);
    return out;
  });
  const slotsOf = (indices: number[]) => {
    const out: number[] = [];
    for (const i of indices) for (let k = 0; k < inputs.length; k++) out.push(slots[i * inputs.length + k]!);
    return out;
  };
  const scratch = new Float32Array(size);
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
      inputs.forEach((name, k) => {
        const buf = new Float32Array(indices.length * size);
        indices.forEach((i, b) => {
          const raw = source.cache.get(slots[i * inputs.length + k]!);
          const out = buf.subarray(b * size, (b + 1) * size);
          if (augment && shift > 0) {
            const dy = Math.round((random() * 2 - 1) * shift);
            const dx = Math.round((random() * 2 - 1) * shift);
            standardizeInto(raw, input, scratch);
            shifted(scratch, h, w, c, dy, dx, out);
          } else {
            standardizeInto(raw, input, out);
          }
        });
        batchInputs[name] = tf.tensor4d(buf, [indices.length, h, w, c]);
      });
      const labelsOut: Record<string, HeadLabels> = {};
      heads.forEach((head, j) => {
        const index = new Int32Array(indices.length);
        const mask = new Float32Array(indices.length);
        indices.forEach((i, b) => {
          const l = headLabels[j]![i]!;
          index[b] = Math.max(0, l);
          mask[b] = l >= 0 ? 1 : 0;
        });
        labelsOut[head.spec.name] = { index, mask };
      });
      return { inputs: batchInputs, labels: labelsOut };
    },
  };
}
