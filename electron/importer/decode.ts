import { createHash } from 'node:crypto';
import { decode as decodeBmp } from 'fast-bmp';
import sharp, { type Sharp } from 'sharp';
import { ItemRejected } from './item-rejected.js';
import { checkPng } from './png-check.js';

export { ItemRejected };

export const THUMB_SIZE = 96;
/**
 * An image up to twice the thumbnail size on each side is its own thumbnail (nothing stored:
 * the image is served and the browser scales it), unless its file is heavier than
 * SELF_THUMB_MAX_BYTES; larger or heavier images get a compact one. Twice, because the grid
 * shows a thumbnail in a 112x96 CSS-pixel box, which is 224x192 device pixels on a HiDPI
 * screen: such an image looks sharper served whole than as a 96 px thumbnail, and making that
 * thumbnail (decode, resize, WebP) cost ~3 ms of CPU, more than the rest of its import.
 */
const SELF_THUMB_MAX_SIDE = 2 * THUMB_SIZE;
const SELF_THUMB_MAX_BYTES = 32 * 1024;
/** Thumbnails are WebP at a fixed quality: a 96 px crop in a few kB. */
const THUMB_WEBP_QUALITY = 80;
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
  /** Null: the image is its own thumbnail. */
  thumbnail: Thumbnail | null;
}

export interface Thumbnail {
  mime: 'image/webp' | 'image/png' | 'image/jpeg';
  data: Buffer;
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

function overLimit(width: number, height: number, limits: DecodeLimits): ItemRejected | null {
  if (width * height <= limits.maxPixels) return null;
  return new ItemRejected(`image is ${width}x${height} (${pixels(width * height)}), over the limit of ${pixels(limits.maxPixels)}`);
}

/**
 * A BMP's size from its header, before anything is decoded (a 55 MB 1-bit BMP took 6.6 s and
 * 1.1 GB to decode): the OS/2 core header has 16-bit sides, the others 32-bit (a negative
 * height is a top-down bitmap).
 */
function bmpHeaderSize(bytes: Buffer): { width: number; height: number } {
  if (bytes.length < 26) throw new ItemRejected('corrupt BMP (header truncated)');
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) };
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

/** Decodes a BMP with fast-bmp (libvips has no BMP loader) into a sharp pipeline. */
function bmpToSharp(bytes: Buffer, limits: DecodeLimits): Sharp {
  const { width, height } = bmpHeaderSize(bytes);
  if (width === 0 || height === 0) throw new ItemRejected('image has no dimensions');
  const tooBig = overLimit(width, height, limits);
  if (tooBig) throw tooBig;
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

/**
 * The format of the common image files from their first bytes (as libvips names them); null
 * for anything else, which then asks sharp (a call that costs as much JavaScript as a decode).
 */
function sniffFormat(bytes: Buffer): string | null {
  const ascii = (from: number, to: number) => bytes.toString('latin1', from, to);
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  return null;
}

/** The size of an image that libvips refused for its pixel count, from its header, for the message. */
async function pixelLimitRejection(bytes: Buffer, limits: DecodeLimits): Promise<ItemRejected> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  return overLimit(meta.width ?? 0, meta.height ?? 0, limits) ?? new ItemRejected('image over the pixel limit');
}

/** Whether an image needs a thumbnail of its own; without one, the image itself is served. */
export function needsThumbnail(width: number, height: number, storedBytes: number): boolean {
  return width > SELF_THUMB_MAX_SIDE || height > SELF_THUMB_MAX_SIDE || storedBytes > SELF_THUMB_MAX_BYTES;
}

async function webpThumbnail(pipeline: Sharp): Promise<Thumbnail> {
  const data = await pipeline.resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: THUMB_WEBP_QUALITY }).toBuffer();
  return { mime: 'image/webp', data };
}

/**
 * Decodes an image fully (so a truncated file is caught), makes its thumbnail and the bytes to
 * store; a small PNG is checked whole instead (png-check.ts), since nothing needs its pixels.
 */
export async function decodeImage(bytes: Buffer, limits: DecodeLimits, hash = sha256(bytes)): Promise<DecodedImage> {
  // libvips reads the header first and refuses more pixels than limitInputPixels before
  // decoding (a separate metadata() call cost as much main-thread time as the decode).
  const open = () => sharp(bytes, { failOn: 'warning', limitInputPixels: limits.maxPixels, pages: 1 });
  try {
    // A PNG checked whole needs no decode of its own: none at all when it is its own
    // thumbnail, else only the one that makes the thumbnail.
    const png = checkPng(bytes, (width, height) => overLimit(width, height, limits));
    if (png) {
      const thumbnail = needsThumbnail(png.width, png.height, bytes.length) ? await webpThumbnail(open()) : null;
      return { sha256: hash, format: 'png', ...png, stored: bytes, storedExt: 'png', thumbnail };
    }
    let pipeline: Sharp;
    let format: string;
    if (isBmp(bytes)) {
      pipeline = bmpToSharp(bytes, limits);
      format = 'bmp';
    } else {
      pipeline = open();
      format = '';
    }
    // One full decode to raw pixels: catches truncation and gives the true size and channels.
    const { data, info } = await pipeline
      .rotate()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .catch(async (error: unknown) => {
        throw /pixel limit/i.test(String(error)) ? await pixelLimitRejection(bytes, limits) : error;
      });
    if (format === '') format = sniffFormat(bytes) ?? (await sharp(bytes, { limitInputPixels: false }).metadata()).format ?? 'unknown';
    const tooBig = overLimit(info.width, info.height, limits);
    if (tooBig) throw tooBig;
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    const keepOriginal = BROWSER_FORMATS.has(format);
    const stored = keepOriginal ? bytes : await sharp(data, raw).png().toBuffer();
    const thumbnail = needsThumbnail(info.width, info.height, stored.length) ? await webpThumbnail(sharp(data, raw)) : null;
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
  const thumbnail = needsThumbnail(width, height, png.length) ? await webpThumbnail(sharp(png)) : null;
  return { sha256: sha256(png), format: 'png', width, height, channels: 1, stored: png, storedExt: 'png', thumbnail };
}
