/**
 * Images decoded batch by batch for a single pass (prediction): the next batch is decoded
 * (in sharp's thread pool) while the caller works on the current one, and no more than one
 * batch waits ahead — memory is two batches whatever the number of images. No cache: each
 * image is read once.
 */
import type { InputSpec } from '../../../shared/model-spec.js';
import type { Project } from '../../domain/project.js';
import { decodeImages } from '../data.js';

export async function* decodedBatches(
  project: Project,
  ids: number[],
  input: InputSpec,
  batchSize: number,
): AsyncGenerator<{ ids: number[]; pixels: Float32Array; from: number }> {
  const decode = (from: number) => {
    const chunk = ids.slice(from, from + batchSize);
    return decodeImages(project, chunk, input).then((d) => ({ ids: chunk, pixels: d.pixels, from }));
  };
  let next = ids.length > 0 ? decode(0) : null;
  for (let from = 0; next; from += batchSize) {
    const current = await next;
    next = from + batchSize < ids.length ? decode(from + batchSize) : null;
    // A failure of the batch decoded ahead surfaces when it is awaited, not as an unhandled rejection.
    next?.catch(() => {});
    yield current;
  }
}
