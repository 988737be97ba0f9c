/**
 * The streaming data pipeline (issue 15), the one way training, the benchmarks and (for its
 * decoding) prediction read images: the images behind a run's examples get a slot each in a
 * decoded-pixel cache (pixel-cache.ts: uint8 records on disk, a memory budget), a background
 * decoder fills it in the order training asks (decoder.ts), and each split reads batches from
 * it (the data side, sides/data-side.ts; in one process, stream-data.ts). It loads no TensorFlow.js:
 * the Electron main process runs it for the training renderer. Training starts once its first batch is decoded; the second epoch
 * decodes nothing; memory is the budget plus a few batches, whatever the number of images.
 */
import { createHash } from 'node:crypto';
import type { DecodeProgress } from '../../../shared/api/events.js';
import type { ModelSpec } from '../../../shared/model-spec.js';
import type { Project } from '../../domain/project.js';
import type { Example, PackedExamples } from '../data.js';
import type { LabelTable } from '../labels.js';
import type { ResolvedHead } from '../heads.js';
import { Decoder } from './decoder.js';
import { PixelCache, type PixelCacheStats } from './pixel-cache.js';

export const DEFAULT_PIXEL_CACHE_MB = 1024;

/** The cache slot of every input's image of each example, example by example. */
export function slotsOf(source: { slotOf: Int32Array }, examples: PackedExamples, indices: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let b = 0; b < indices.length; b++) {
    for (let k = 0; k < examples.inputs; k++) {
      const id = examples.imageId(indices[b]!, k);
      const slot = id < source.slotOf.length ? source.slotOf[id]! : -1;
      if (slot < 0) throw new Error(`image ${id} is not in the pipeline's image set`);
      out.push(slot);
    }
  }
  return out;
}

export interface PipelineOptions {
  /** Folder of the cache file (a run's folder: runs/N/pixel-cache). */
  cacheDir: string;
  /** Memory budget of decoded pixels in MB (default 1024). */
  budgetMB?: number;
  /** Images decoded at once (default 4). */
  concurrency?: number;
}

export class DataPipeline {
  private constructor(
    readonly spec: ModelSpec,
    readonly heads: ResolvedHead[],
    readonly labels: LabelTable,
    readonly cache: PixelCache,
    readonly decoder: Decoder,
    /** imageId → cache slot (-1: not in the pipeline's image set). */
    readonly slotOf: Int32Array,
  ) {}

  /** Opens (or reuses) the cache for every image of `examples`; decoding starts when the first data is scheduled or prepared. */
  static open(project: Project, spec: ModelSpec, heads: ResolvedHead[], labels: LabelTable, examples: Example[], options: PipelineOptions): DataPipeline {
    const shapes = new Set(spec.inputs.map((i) => `${i.height}x${i.width}x${i.channels}x${i.resize}`));
    if (shapes.size > 1)
      throw new Error(
        'inputs of different sizes are not supported by the data pipeline yet: give every input the same height, width, channels and resize mode',
      );
    const input = spec.inputs[0]!;
    // The distinct image ids in ascending order, and imageId → slot (-1: not in the set): arrays
    // indexed by id rather than a Set and a Map of 100,000+ entries.
    let maxId = -1;
    for (const e of examples) for (const id of e.imageIds) maxId = Math.max(maxId, id);
    const slotOf = new Int32Array(maxId + 1).fill(-1);
    for (const e of examples) for (const id of e.imageIds) slotOf[id] = 0;
    let count = 0;
    for (let id = 0; id <= maxId; id++) if (slotOf[id] === 0) slotOf[id] = count++;
    const ids = new Int32Array(count);
    for (let id = 0; id <= maxId; id++) if (slotOf[id]! >= 0) ids[slotOf[id]!] = id;
    // The image set, shape and resize mode name the cache: a change of any rebuilds it.
    const key = createHash('sha256')
      .update(JSON.stringify({ version: 1, height: input.height, width: input.width, channels: input.channels, resize: input.resize }))
      .update(new Uint8Array(ids.buffer))
      .digest('hex');
    const budgetBytes = (options.budgetMB ?? DEFAULT_PIXEL_CACHE_MB) * 1024 * 1024;
    const cache = new PixelCache({ dir: options.cacheDir, input, records: ids.length, budgetBytes, key });
    const decoder = new Decoder(cache, {
      input,
      concurrency: options.concurrency,
      nameOf: (slot) => `image ${ids[slot]}`,
      fileOf: (slot) => {
        const row = project.store.images.get(ids[slot]!);
        const file = row ? project.resolveStored(row.stored_path) : null;
        if (!file) throw new Error(`no stored file in ${project.dataDir}`);
        return file;
      },
    });
    return new DataPipeline(spec, heads, labels, cache, decoder, slotOf);
  }

  progress(): DecodeProgress {
    return this.decoder.progress();
  }

  stats(): PixelCacheStats {
    return this.cache.stats();
  }

  /** Closes the cache file; `remove` deletes it too (a completed run does not need it again). */
  close(remove = false): void {
    this.decoder.stop();
    if (remove) this.cache.remove();
    else this.cache.close();
  }
}
