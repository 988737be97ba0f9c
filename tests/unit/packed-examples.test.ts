import { describe, expect, it } from 'vitest';
import { PackedExamples, type Example } from '../../electron/engine/data.js';
import { slotsOf } from '../../electron/engine/pipeline/pipeline.js';

describe('packed examples (what a job holds for its whole length)', () => {
  const pairs: Example[] = [{ imageIds: [7, 3] }, { imageIds: [3, 9] }, { imageIds: [9, 7] }];

  it('keep every input image of every example, in order', () => {
    const packed = PackedExamples.of(pairs, 2);
    expect(packed.length).toBe(3);
    expect(pairs.map((_, i) => [packed.imageId(i, 0), packed.imageId(i, 1)])).toEqual(pairs.map((e) => e.imageIds));
    expect(packed.imageId(1)).toBe(3);
  });

  it("give each example's cache slots input by input, and name an image outside the pipeline's set", () => {
    const slotOf = new Int32Array(10).fill(-1);
    [3, 7, 9].forEach((id, slot) => (slotOf[id] = slot));
    expect(slotsOf({ slotOf }, PackedExamples.of(pairs, 2), [2, 0])).toEqual([2, 1, 1, 0]);
    expect(() => slotsOf({ slotOf }, PackedExamples.of([{ imageIds: [5] }], 1), [0])).toThrow("image 5 is not in the pipeline's image set");
  });
});
