/**
 * The decoded-pixel cache of one input shape: every image of a run, decoded once, as a
 * fixed-size record (a 48-byte header — mean, std, border colour, placement — and the uint8
 * frame, decode.ts's RawImage) in one file on disk, slot k at byte k × recordBytes; and the
 * records most recently written or read, in memory, up to a byte budget. Memory therefore stays
 * at the budget whatever the number of images: records beyond it are read back from the file
 * (one positioned read per record; the OS page cache keeps the hot ones).
 *
 * The memory tier is one preallocated slab of `capacity` record slots, reused round-robin (a
 * FIFO: under the random order of an epoch every policy hits capacity/images of the time).
 * Its accounting (`stats`) is what the memory test checks.
 *
 * The file survives the job: a resumed run whose images, shape and resize mode are the same
 * (its `key`) finds every record there and decodes nothing; any change gives a different key,
 * and the file is rebuilt.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { InputSpec } from '../../../shared/model-spec.js';
import { readRecord, recordBytesOf, writeRecord, type RawImage } from '../pixels.js';

export { recordBytesOf };

export interface PixelCacheStats {
  records: number;
  recordBytes: number;
  /** Records kept in memory at most (budget / recordBytes, at most `records`). */
  capacity: number;
  budgetBytes: number;
  /** Bytes of records held in memory now (≤ capacity × recordBytes ≤ budget). */
  memoryBytes: number;
  decoded: number;
  memoryHits: number;
  diskReads: number;
  diskWrites: number;
  evictions: number;
}

export interface PixelCacheOptions {
  /** The cache's folder; the file is named after the input's shape and resize mode. */
  dir: string;
  input: InputSpec;
  /** Number of records (one per distinct image). */
  records: number;
  budgetBytes: number;
  /** Identifies the image set (with shape and resize mode): a file made for another key is rebuilt. */
  key: string;
}

export class PixelCache {
  readonly recordBytes: number;
  readonly file: string;
  private readonly meta: string;
  private readonly fd: number;
  private readonly decodedFlags: Uint8Array;
  private decodedCount = 0;
  private readonly slab: Buffer;
  /** The one record used without a memory budget. */
  private readonly scratch: Buffer;
  /** slot → memory position, or -1. */
  private readonly inMemory: Int32Array;
  /** memory position → slot, or -1. */
  private readonly slotAt: Int32Array;
  private hand = 0;
  private closed = false;
  private readonly counters = { memoryHits: 0, diskReads: 0, diskWrites: 0, evictions: 0 };

  constructor(private readonly options: PixelCacheOptions) {
    const { input, records, dir } = options;
    this.recordBytes = recordBytesOf(input);
    mkdirSync(dir, { recursive: true });
    const name = `pixels-${input.height}x${input.width}x${input.channels}-${input.resize}`;
    this.file = path.join(dir, `${name}.bin`);
    this.meta = path.join(dir, `${name}.json`);
    this.decodedFlags = new Uint8Array(records);
    const reusable = this.readMeta()?.key === options.key && this.readMeta()?.complete === true && existsSync(this.file);
    this.fd = openSync(this.file, reusable ? 'r+' : 'w+');
    if (reusable) {
      this.decodedFlags.fill(1);
      this.decodedCount = records;
    } else {
      // Sparse until written; marked incomplete until every record is in.
      ftruncateSync(this.fd, records * this.recordBytes);
      writeFileSync(this.meta, JSON.stringify({ key: options.key, complete: false }));
    }
    const capacity = Math.min(records, Math.floor(options.budgetBytes / this.recordBytes));
    // Pages of the slab are touched only as records are written into it.
    this.slab = Buffer.allocUnsafe(capacity * this.recordBytes);
    this.scratch = Buffer.alloc(this.recordBytes);
    this.inMemory = new Int32Array(records).fill(-1);
    this.slotAt = new Int32Array(capacity).fill(-1);
  }

  private readMeta(): { key: string; complete: boolean } | null {
    try {
      return JSON.parse(readFileSync(this.meta, 'utf8')) as { key: string; complete: boolean };
    } catch {
      return null;
    }
  }

  get size(): number {
    return this.decodedFlags.length;
  }

  get decoded(): number {
    return this.decodedCount;
  }

  has(slot: number): boolean {
    return this.decodedFlags[slot] === 1;
  }

  /** Stores a decoded image: written to the file, and kept in memory (evicting the oldest record when full). */
  put(slot: number, raw: RawImage): void {
    if (this.closed) return; // a decode that finished after the job ended
    // Packed where it will be kept (or into the one scratch record without a memory budget):
    // no buffer per image, whose garbage grew the process with the number of images.
    const at = this.claim(slot);
    const record = at >= 0 ? this.at(at) : this.scratch;
    record.fill(0);
    writeRecord(raw, record);
    writeSync(this.fd, record, 0, this.recordBytes, slot * this.recordBytes);
    this.counters.diskWrites++;
    if (this.decodedFlags[slot] === 0) {
      this.decodedFlags[slot] = 1;
      if (++this.decodedCount === this.size) writeFileSync(this.meta, JSON.stringify({ key: this.options.key, complete: true }));
    }
  }

  /** A decoded image back (from memory, else from the file). The pixels view is valid until the next call. */
  get(slot: number): RawImage {
    return this.unpack(this.record(slot));
  }

  /** A decoded image's stored record as it is (what `get` unpacks): valid until the next call. */
  record(slot: number): Uint8Array {
    if (!this.has(slot)) throw new Error(`pixel cache: record ${slot} is not decoded yet`);
    if (this.inMemory[slot]! >= 0) {
      this.counters.memoryHits++;
      return this.at(this.inMemory[slot]!);
    }
    // Read straight into the memory slot it will be kept in (or the scratch record).
    const at = this.claim(slot);
    const record = at >= 0 ? this.at(at) : this.scratch;
    const read = readSync(this.fd, record, 0, this.recordBytes, slot * this.recordBytes);
    if (read !== this.recordBytes) {
      if (at >= 0) this.release(at);
      throw new Error(`pixel cache ${this.file}: record ${slot} is cut short (${read} of ${this.recordBytes} bytes)`);
    }
    this.counters.diskReads++;
    return record;
  }

  private unpack(record: Uint8Array): RawImage {
    return readRecord(record, this.options.input);
  }

  /** The memory slab's record at a position. */
  private at(position: number): Buffer {
    return this.slab.subarray(position * this.recordBytes, (position + 1) * this.recordBytes);
  }

  /** The memory position a slot's record goes to (its own, or the next round-robin one, evicting its record); -1 with no memory budget. */
  private claim(slot: number): number {
    if (this.slotAt.length === 0) return -1;
    if (this.inMemory[slot]! >= 0) return this.inMemory[slot]!;
    const at = this.hand;
    this.hand = (this.hand + 1) % this.slotAt.length;
    const old = this.slotAt[at]!;
    if (old >= 0) {
      this.inMemory[old] = -1;
      this.counters.evictions++;
    }
    this.slotAt[at] = slot;
    this.inMemory[slot] = at;
    return at;
  }

  /** Frees a claimed position whose record could not be read. */
  private release(position: number): void {
    this.inMemory[this.slotAt[position]!] = -1;
    this.slotAt[position] = -1;
  }

  stats(): PixelCacheStats {
    let held = 0;
    for (const s of this.slotAt) if (s >= 0) held++;
    return {
      records: this.size,
      recordBytes: this.recordBytes,
      capacity: this.slotAt.length,
      budgetBytes: this.options.budgetBytes,
      memoryBytes: held * this.recordBytes,
      decoded: this.decodedCount,
      ...this.counters,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Closes the cache and deletes its file (a finished run no longer needs it). */
  remove(): void {
    this.close();
    rmSync(this.file, { force: true });
    rmSync(this.meta, { force: true });
  }
}
