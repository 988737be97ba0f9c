/**
 * A split's examples as the trainer reads them from floats decoded up front (data.ts
 * decodeImages): the in-memory data source of tests and benchmarks. Training itself streams
 * through the pixel cache (pipeline/, sides/).
 */
import type { ModelSpec } from '../../shared/model-spec.js';
import { batchLabels, PackedExamples, type DecodedSet, type Example } from './data.js';
import type { ResolvedHead } from './heads.js';
import type { LabelTable } from './labels.js';
import { shifted } from './pixels.js';
import { seededRandom } from './sampling.js';
import { tf } from './tf.js';
import type { TrainData } from './train-data.js';

/** A split's examples as the trainer reads them. */
export function toTrainData(spec: ModelSpec, heads: ResolvedHead[], examples: Example[], decoded: DecodedSet, labels: LabelTable, augmentSeed = 0): TrainData {
  const inputs = spec.inputs.map((i) => i.name);
  const { height: h, width: w, channels: c } = decoded.input;
  const size = h * w * c;
  const shift = spec.training.augmentShift;
  const packed = PackedExamples.of(examples, inputs.length);
  return {
    size: examples.length,
    batch(indices: number[], augment: boolean, step = 0) {
      const random = seededRandom(augmentSeed * 1_000_003 + step);
      const batchInputs: Record<string, tf.Tensor4D> = {};
      inputs.forEach((name, slot) => {
        const buf = new Float32Array(indices.length * size);
        indices.forEach((i, k) => {
          const at = decoded.index.get(examples[i]!.imageIds[slot]!)!;
          const src = decoded.pixels.subarray(at * size, (at + 1) * size);
          if (augment && shift > 0) {
            const dy = Math.round((random() * 2 - 1) * shift);
            const dx = Math.round((random() * 2 - 1) * shift);
            shifted(src, h, w, c, dy, dx, buf.subarray(k * size, (k + 1) * size));
          } else {
            buf.set(src, k * size);
          }
        });
        batchInputs[name] = tf.tensor4d(buf, [indices.length, h, w, c]);
      });
      return { inputs: batchInputs, labels: batchLabels(heads, packed, indices, inputs, labels) };
    },
  };
}
