import { createHash } from 'node:crypto';
import { decode as decodeBmp } from 'fast-bmp';
import sharp, { type Sharp } from 'sharp';

/** A problem with one input item; the import reports it and goes on. */
export class ItemRejected extends Error {}

export const THUMB_SIZE = 96;
/** Small PNGs are their own thumbnail. */
const REUSE_AS_THUMB_BYTES = 16 * 1024;
/** Formats a browser shows as they are; others are stored as a PNG copy. */
const BROWSER_FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

export interface DecodeLimits {
  maxPixels: number;
}

export interface DecodedImage {
  sha256: string;
  format: string;
  width: number;
  height: number;
  channels: number;
  /** The bytes stored in the project and their extension. */
  stored: Buffer;
  storedExt: string;
  thumbnail: Buffer;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function explain(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  if (/unsupported image format/i.test(message)) return 'not an image (unrecognised format)';
  if (/corrupt header/i.test(message)) return 'corrupt image header';
  if (/pixel limit/i.test(message)) return 'image over the pixel limit';
  return `corrupt or truncated image (${message})`;
}

function pixels(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MP` : `${n} pixels`;
}

function isBmp(bytes: Buffer): boolean {
  return bytes.length > 14 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Decodes a BMP with fast-bmp (libvips has no BMP loader) into a sharp pipeline. */
function bmpToSharp(bytes: Buffer): Sharp {
  let bmp;
  try {
    bmp = decodeBmp(bytes);
  } catch (error) {
    throw new ItemRejected(`corrupt BMP (${(error as Error).message})`);
  }
  const channels = bmp.channels as 1 | 2 | 3 | 4;
  const bitDepth = bmp.bitsPerPixel / bmp.channels;
  if (bitDepth !== 8 && bmp.bitsPerPixel !== 1) throw new ItemRejected(`unsupported BMP bit depth ${bmp.bitsPerPixel}`);
  const decoded = bmp.data as Uint8Array;
  let data = Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  if (bmp.bitsPerPixel === 1) {
    // 1-bit BMPs decode to packed bits; expand to one byte per pixel.
    const out = Buffer.alloc(bmp.width * bmp.height);
    const stride = Math.ceil(bmp.width / 8);
    for (let y = 0; y < bmp.height; y++)
      for (let x = 0; x < bmp.width; x++) out[y * bmp.width + x] = (data[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
    data = out;
  }
  return sharp(data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.bitsPerPixel === 1 ? 1 : channels } });
}

/** Decodes an image fully (so a truncated file is caught), makes its thumbnail and the bytes to store. */
export async function decodeImage(bytes: Buffer, limits: DecodeLimits, hash = sha256(bytes)): Promise<DecodedImage> {
  try {
    let pipeline: Sharp;
    let format: string;
    if (isBmp(bytes)) {
      pipeline = bmpToSharp(bytes);
      format = 'bmp';
    } else {
      const meta = await sharp(bytes).metadata();
      format = meta.format ?? 'unknown';
      if (!meta.width || !meta.height) throw new ItemRejected('image has no dimensions');
      if (meta.width * meta.height > limits.maxPixels) {
        throw new ItemRejected(`image is ${meta.width}x${meta.height} (${pixels(meta.width * meta.height)}), over the limit of ${pixels(limits.maxPixels)}`);
      }
      pipeline = sharp(bytes, { failOn: 'warning', limitInputPixels: limits.maxPixels, pages: 1 });
    }
    // One full decode to raw pixels: catches truncation and gives the true size and channels.
    const { data, info } = await pipeline.rotate().raw().toBuffer({ resolveWithObject: true });
    if (info.width * info.height > limits.maxPixels) {
      throw new ItemRejected(`image is ${info.width}x${info.height} (${pixels(info.width * info.height)}), over the limit of ${pixels(limits.maxPixels)}`);
    }
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    const keepOriginal = BROWSER_FORMATS.has(format);
    const stored = keepOriginal ? bytes : await sharp(data, raw).png().toBuffer();
    const fits = info.width <= THUMB_SIZE && info.height <= THUMB_SIZE;
    const thumbnail =
      fits && format === 'png' && bytes.length <= REUSE_AS_THUMB_BYTES
        ? bytes
        : await sharp(data, raw).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    return {
      sha256: hash,
      format,
      width: info.width,
      height: info.height,
      channels: info.channels,
      stored,
      storedExt: keepOriginal ? (format === 'jpeg' ? 'jpg' : format) : 'png',
      thumbnail,
    };
  } catch (error) {
    if (error instanceof ItemRejected) throw error;
    throw new ItemRejected(explain(error));
  }
}

/** Encodes 8-bit grayscale pixels (an IDX image) as PNG: stored copy and thumbnail at once. */
export async function encodeGray(gray: Uint8Array, width: number, height: number): Promise<DecodedImage> {
  const png = await sharp(Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
  const fits = width <= THUMB_SIZE && height <= THUMB_SIZE;
  const thumbnail = fits ? png : await sharp(png).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside' }).png().toBuffer();
  return { sha256: sha256(png), format: 'png', width, height, channels: 1, stored: png, storedExt: 'png', thumbnail };
}
