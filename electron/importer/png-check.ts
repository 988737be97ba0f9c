import { crc32, inflateSync } from 'node:zlib';
import { ItemRejected } from './item-rejected.js';

/**
 * A PNG checked whole without a decoder: every chunk's CRC, the IHDR fields, a PLTE where
 * one is required, IEND, and the image data inflated in full (zlib checks its Adler-32 and
 * where it ends), to exactly the bytes its rows need, each row starting with a valid filter
 * type. These are the checks by which a decoder finds a truncated or corrupt PNG, short of
 * undoing the filters (which cannot fail). A 48x48 crop takes ~50 µs this way against
 * ~600 µs for sharp's full decode, most of that libvips' per-call machinery.
 */
export interface PngInfo {
  width: number;
  height: number;
  /**
   * As sharp's decode to sRGB gave them, which the importer has always stored: 3, or 4 with
   * alpha (an alpha colour type or a tRNS chunk); grey and palettes are expanded to RGB.
   */
  channels: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Samples per pixel and the bit depths the PNG specification allows, per colour type. */
const COLOUR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};
/**
 * The ancillary chunks a file checked here may have: text, and colour notes sharp does not
 * act on when decoding. Any other (an ICC profile, EXIF orientation, animation, an unknown
 * chunk) sends the file to sharp, which decides whether it can be decoded, as it did before.
 */
const PLAIN_ANCILLARY = new Set(['tRNS', 'tEXt', 'zTXt', 'iTXt', 'pHYs', 'tIME', 'sRGB', 'gAMA', 'cHRM', 'bKGD', 'sBIT']);

const corrupt = (why: string) => new ItemRejected(`corrupt or truncated image (PNG: ${why})`);

/**
 * The size and channels of a PNG whose structure is whole; null for a file this does not
 * settle (not a PNG, interlaced, a chunk outside PLAIN_ANCILLARY): sharp decodes those. Throws ItemRejected for a corrupt or truncated PNG, and `tooBig` for one over
 * the pixel limit, before inflating anything.
 */
export function checkPng(bytes: Buffer, tooBig: (width: number, height: number) => ItemRejected | null): PngInfo | null {
  if (bytes.length < SIGNATURE.length || !bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) return null;
  let offset = SIGNATURE.length;
  let header: { width: number; height: number; depth: number; colourType: number } | null = null;
  let palette = false;
  let transparency = false;
  const data: Buffer[] = [];
  for (;;) {
    if (offset + 12 > bytes.length) throw corrupt(header ? 'the file ends before its IEND chunk' : 'the header is cut short');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 8 + length;
    if (length > 0x7fffffff || end + 4 > bytes.length) throw corrupt(`the ${type} chunk is cut short`);
    if (crc32(bytes.subarray(offset + 4, end)) !== bytes.readUInt32BE(end)) throw corrupt(`the ${type} chunk fails its CRC`);
    const body = bytes.subarray(offset + 8, end);
    offset = end + 4;
    if (header === null && type !== 'IHDR') throw corrupt('the first chunk is not IHDR');
    if (type === 'IHDR') {
      if (header !== null) throw corrupt('a second IHDR chunk');
      header = readHeader(body);
      if (header === null) return null; // interlaced: left to sharp
      const over = tooBig(header.width, header.height);
      if (over) throw over;
    } else if (type === 'PLTE') palette = true;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    else if (PLAIN_ANCILLARY.has(type)) transparency ||= type === 'tRNS';
    else return null;
  }
  const { width, height, depth, colourType } = header!;
  if (colourType === 3 && !palette) throw corrupt('a palette image without a PLTE chunk');
  if (data.length === 0) throw corrupt('no image data (IDAT)');
  const rowBytes = Math.ceil((width * depth * COLOUR_TYPES[colourType]!.samples) / 8);
  const expected = height * (1 + rowBytes);
  let rows: Buffer;
  try {
    rows = inflateSync(data.length === 1 ? data[0]! : Buffer.concat(data), { maxOutputLength: expected + 1 });
  } catch (error) {
    throw corrupt(`its image data does not inflate: ${(error as Error).message}`);
  }
  if (rows.length !== expected) throw corrupt(`its image data holds ${rows.length} bytes where its ${height} rows need ${expected}`);
  for (let row = 0; row < expected; row += rowBytes + 1) if (rows[row]! > 4) throw corrupt(`row ${row / (rowBytes + 1)} has an unknown filter type`);
  const alpha = colourType === 4 || colourType === 6 || transparency;
  return { width, height, channels: alpha ? 4 : 3 };
}

/** The IHDR fields, checked as the specification requires; null for an interlaced image. */
function readHeader(body: Buffer): { width: number; height: number; depth: number; colourType: number } | null {
  if (body.length !== 13) throw corrupt('its IHDR chunk has the wrong length');
  const width = body.readUInt32BE(0);
  const height = body.readUInt32BE(4);
  const [depth, colourType, compression, filter, interlace] = [body[8]!, body[9]!, body[10]!, body[11]!, body[12]!];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw corrupt(`it declares a size of ${width}x${height}`);
  if (!COLOUR_TYPES[colourType]?.depths.includes(depth)) throw corrupt(`colour type ${colourType} with bit depth ${depth}`);
  if (compression !== 0 || filter !== 0 || interlace > 1) throw corrupt('unknown compression, filter or interlace method');
  return interlace === 1 ? null : { width, height, depth, colourType };
}
