/**
 * The compute side's view of the data side: requests over the port (each answered by its id),
 * the run's splits as TrainData whose batches arrive as uint8 records (prefetched a bounded
 * number of batches ahead in the epoch's order), and a CheckpointStore whose checkpoints the
 * data side writes and reads. Batches are built exactly as in one process (pixels.ts
 * batchPixels, the same seeded shifts), so a run gives the same numbers on either side of a port.
 */
import type { DecodeProgress } from '../../../shared/api/events.js';
import type { ModelSpec } from '../../../shared/model-spec.js';
import type { CheckpointStore, EncodedCheckpoint } from '../checkpoint-codec.js';
import type { ResolvedHead } from '../heads.js';
import { batchPixels, readRecord, recordBytesOf } from '../pixels.js';
import { seededRandom } from '../sampling.js';
import { tf } from '../tf.js';
import type { TrainData } from '../train-data.js';
import type { HeadLabels } from '../train-step.js';
import { buffersOf, type FromCompute, type SidePort, type SplitName, type ToCompute, type WireLabels } from './protocol.js';

/** Batches requested ahead of the one the trainer waits for: memory stays at a few batches of uint8 records. */
export const PREFETCH_BATCHES = 2;

type Reply = Extract<ToCompute, { id: number }>;
type Request = Extract<FromCompute, { id: number }>;
type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class DataClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  /** How many images the data side had decoded, of how many, at its last answer. */
  decoded: DecodeProgress | undefined;

  constructor(private readonly port: SidePort) {}

  /** Hands a reply to its request; false when `message` is not one. */
  receive(message: ToCompute): boolean {
    if (!('id' in message)) return false;
    const waiting = this.pending.get(message.id);
    if (!waiting) return true;
    this.pending.delete(message.id);
    if (message.type === 'failed') waiting.reject(new Error(message.message));
    else waiting.resolve(message);
    return true;
  }

  request(message: Distribute<Request>, transfer?: ArrayBuffer[]): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.post({ ...message, id }, transfer);
    });
  }

  post(message: FromCompute, transfer?: ArrayBuffer[]): void {
    this.port.post(message, transfer);
  }

  /** Checkpoints written and read by the data side, in the usual files. */
  checkpoints(): CheckpointStore {
    return {
      save: async ({ manifest, weights }) => {
        const reply = await this.request({ type: 'save', manifest, weights }, buffersOf(weights));
        if (reply.type !== 'saved') throw new Error(`the data side answered a save with ${reply.type}`);
        return reply.where;
      },
      load: async (where): Promise<EncodedCheckpoint> => {
        const reply = await this.request({ type: 'load', where });
        if (reply.type !== 'checkpoint-data') throw new Error(`the data side answered a load with ${reply.type}`);
        return { manifest: reply.manifest, weights: reply.weights };
      },
    };
  }
}

interface Held {
  /** One record per input; null where the image was skipped (unreadable). */
  records: (Uint8Array | null)[];
  labels: Record<string, { index: number; mask: number }>;
}

/**
 * A split of the run as the trainer reads it: `prepare` asks the data side for the examples'
 * records (and, in the scheduled order, for the next PREFETCH_BATCHES batches of the same
 * size), `batch` builds tensors from them and lets them go.
 */
export class RemoteSplit implements TrainData {
  private readonly held = new Map<number, Held>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** The scheduled order (an epoch's); unscheduled splits (validation, test) are read in index order. */
  private order: number[] | null = null;
  private positionOf = new Map<number, number>();

  constructor(
    private readonly client: DataClient,
    private readonly split: SplitName,
    readonly size: number,
    private readonly spec: ModelSpec,
    private readonly heads: ResolvedHead[],
    private readonly augmentSeed: number,
  ) {}

  schedule(order: number[]): void {
    this.order = order;
    this.positionOf = new Map(order.map((i, at) => [i, at]));
    this.client.post({ type: 'schedule', split: this.split, order: Int32Array.from(order) });
  }

  /** As of the data side's last answer (training reports after its batches arrived). */
  decodeProgress(): DecodeProgress {
    return this.client.decoded ?? { done: 0, total: 0 };
  }

  private orderAt(at: number): number {
    return this.order ? this.order[at]! : at;
  }

  async prepare(indices: number[]): Promise<void> {
    const wanted = this.fetch(indices);
    // Read in order (training, validation, evaluation): the next batches of the same size are asked for now.
    // Any other read (precise batch norm's sample) prefetches nothing.
    const at = indices.length === 0 ? undefined : this.order ? this.positionOf.get(indices[0]!) : indices[0]!;
    if (at !== undefined && indices.every((i, k) => this.orderAt(at + k) === i)) {
      for (let k = 1; k <= PREFETCH_BATCHES; k++) {
        const from = at + k * indices.length;
        if (from >= this.size) break;
        const next = Array.from({ length: Math.min(indices.length, this.size - from) }, (_, j) => this.orderAt(from + j));
        void this.fetch(next).catch(() => {}); // an error surfaces when these are prepared
      }
    }
    await wanted;
  }

  /** Requests the examples not held or asked for yet; resolves when all of `indices` are held. */
  private fetch(indices: number[]): Promise<void> {
    const missing = indices.filter((i) => !this.held.has(i) && !this.inFlight.has(i));
    if (missing.length > 0) {
      const arrived = this.client.request({ type: 'batch', split: this.split, indices: Int32Array.from(missing) }).then((reply) => {
        if (reply.type !== 'records') throw new Error(`the data side answered a batch with ${reply.type}`);
        this.hold(missing, reply.records, reply.skipped, reply.labels);
        this.client.decoded = reply.decoded;
      });
      const settled = arrived.finally(() => missing.forEach((i) => this.inFlight.delete(i)));
      for (const i of missing) this.inFlight.set(i, settled);
    }
    return Promise.all(indices.map((i) => this.inFlight.get(i))).then(() => undefined);
  }

  private hold(indices: number[], records: Uint8Array, skipped: Uint8Array, labels: WireLabels): void {
    const inputs = this.spec.inputs.length;
    const bytes = recordBytesOf(this.spec.inputs[0]!);
    indices.forEach((i, b) => {
      const own = Array.from({ length: inputs }, (_, k) => {
        const at = b * inputs + k;
        return skipped[at] ? null : records.subarray(at * bytes, (at + 1) * bytes);
      });
      const perHead: Held['labels'] = {};
      for (const [head, l] of Object.entries(labels)) perHead[head] = { index: l.index[b]!, mask: l.mask[b]! };
      this.held.set(i, { records: own, labels: perHead });
    });
  }

  batch(indices: number[], augment: boolean, step = 0) {
    const held = indices.map((i) => {
      const h = this.held.get(i);
      if (!h) throw new Error(`${this.split} example ${i} was not prepared before its batch`);
      this.held.delete(i);
      return h;
    });
    const input = this.spec.inputs[0]!;
    const random = augment ? seededRandom(this.augmentSeed * 1_000_003 + step) : null;
    const inputs: Record<string, tf.Tensor4D> = {};
    this.spec.inputs.forEach((spec, k) => {
      const recordOf = (b: number) => held[b]!.records[k]!;
      const pixels = batchPixels((b) => (recordOf(b) ? readRecord(recordOf(b)!, input) : null), indices.length, input, this.spec.training.augmentShift, random);
      inputs[spec.name] = tf.tensor4d(pixels, [indices.length, input.height, input.width, input.channels]);
    });
    const labels: Record<string, HeadLabels> = {};
    for (const head of this.heads) {
      const name = head.spec.name;
      labels[name] = { index: Int32Array.from(held, (h) => h.labels[name]!.index), mask: Float32Array.from(held, (h) => h.labels[name]!.mask) };
    }
    return { inputs, labels };
  }
}
