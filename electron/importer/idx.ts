import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count * rows * cols unsigned bytes, row-major. */
  pixels: Uint8Array;
}

export class IdxError extends Error {}

async function readMaybeGzipped(file: string): Promise<Buffer> {
  const raw = await readFile(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (error) {
      throw new IdxError(`${path.basename(file)}: not a valid gzip file (${(error as Error).message})`);
    }
  }
  return raw;
}

/** Reads an IDX3 unsigned-byte image file (MNIST layout), gzipped or not. */
export async function readIdxImages(file: string): Promise<IdxImages> {
  const buf = await readMaybeGzipped(file);
  const name = path.basename(file);
  if (buf.length < 16 || buf.readUInt32BE(0) !== 0x00000803) {
    throw new IdxError(`${name}: not an IDX image file (expected magic 0x00000803 for unsigned-byte 3-D data)`);
  }
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  if (rows === 0 || cols === 0 || rows > 4096 || cols > 4096) throw new IdxError(`${name}: implausible image size ${cols}x${rows}`);
  const expected = 16 + count * rows * cols;
  if (buf.length < expected) {
    throw new IdxError(`${name}: truncated: header announces ${count} images of ${cols}x${rows} (${expected} bytes) but the file has ${buf.length}`);
  }
  return { count, rows, cols, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols) };
}

/** Reads an IDX1 unsigned-byte label file. */
export async function readIdxLabels(file: string): Promise<Uint8Array> {
  const buf = await readMaybeGzipped(file);
  const name = path.basename(file);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x00000801) {
    throw new IdxError(`${name}: not an IDX label file (expected magic 0x00000801 for unsigned-byte 1-D data)`);
  }
  const count = buf.readUInt32BE(4);
  if (buf.length < 8 + count) throw new IdxError(`${name}: truncated: header announces ${count} labels but the file has ${buf.length - 8}`);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
}
