/** Issue 15: small PNGs are checked whole without sharp; they must be found as bad, and described as sharp would, exactly as before. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { decodeImage, ItemRejected } from '../../electron/importer/decode.js';
import { runImport } from '../../electron/importer/importer.js';
import { checkPng } from '../../electron/importer/png-check.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const noLimit = () => null;

function pixels(width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 5) * 11) % 256;
  return data;
}

/** The PNG kinds a crop comes in: grey, grey+alpha, RGB, RGBA, 16-bit, palettes, and tRNS transparency on each type without alpha. */
async function variants() {
  const raw = (channels: 1 | 2 | 3 | 4) => sharp(pixels(30, 20, channels), { raw: { width: 30, height: 20, channels } });
  const grey = await raw(1).toColourspace('b-w').png().toBuffer();
  const rgb = await raw(3).png().toBuffer();
  const palette = await raw(3).png({ palette: true, colours: 16 }).toBuffer();
  return {
    grey,
    greyAlpha: await raw(2).toColourspace('b-w').png().toBuffer(),
    rgb,
    rgba: await raw(4).png().toBuffer(),
    rgb16: await raw(3).toColourspace('rgb16').png().toBuffer(),
    grey16: await raw(1).toColourspace('grey16').png().toBuffer(),
    palette,
    paletteAlpha: await raw(4).png({ palette: true, colours: 16 }).toBuffer(),
    greyTransparent: withChunk(grey, 'tRNS', Buffer.from([0, 7])),
    rgbTransparent: withChunk(rgb, 'tRNS', Buffer.from([0, 7, 0, 8, 0, 9])),
  };
}

/** `png` with a chunk inserted after IHDR. */
function withChunk(png: Buffer, type: string, body: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write(type, 4, 'latin1');
  body.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

/** Where the first IDAT chunk's data starts and how long it is. */
function firstIdat(png: Buffer): { at: number; length: number } {
  let offset = 8;
  while (png.toString('latin1', offset + 4, offset + 8) !== 'IDAT') offset += 12 + png.readUInt32BE(offset);
  return { at: offset + 8, length: png.readUInt32BE(offset) };
}

const rejection = (bytes: Buffer) => {
  try {
    checkPng(bytes, noLimit);
  } catch (error) {
    return error;
  }
  return null;
};

describe('checking a PNG without decoding it', () => {
  it('gives the size and channels sharp decodes, for every colour type', async () => {
    const kinds = await variants();
    // Byte 25 is the IHDR colour type: every type of the specification is covered.
    expect([...new Set(Object.values(kinds).map((png) => png[25]))].sort()).toEqual([0, 2, 3, 4, 6]);
    for (const [kind, png] of Object.entries(kinds)) {
      const { info } = await sharp(png).rotate().raw().toBuffer({ resolveWithObject: true });
      expect(checkPng(png, noLimit), kind).toEqual({ width: info.width, height: info.height, channels: info.channels });
    }
  });

  it('rejects a PNG whose header is whole but whose data is cut short, at any point', async () => {
    const png = (await variants()).rgb;
    const idat = firstIdat(png);
    for (const cut of [idat.at + 5, idat.at + idat.length, png.length - 12, png.length - 1]) {
      const error = rejection(png.subarray(0, cut));
      expect(error, `cut at ${cut}`).toBeInstanceOf(ItemRejected);
      expect((error as Error).message).toMatch(/^corrupt or truncated image \(PNG: /);
    }
  });

  it('rejects damaged data: a wrong CRC, and a changed byte under a correct CRC (zlib finds it)', async () => {
    const png = (await variants()).rgb;
    const idat = firstIdat(png);
    const flipped = Buffer.from(png);
    flipped[idat.at + Math.floor(idat.length / 2)]! ^= 0xff;
    expect((rejection(flipped) as Error).message).toMatch(/IDAT chunk fails its CRC/);
    const crc = idat.at + idat.length;
    flipped.writeUInt32BE(crc32(flipped.subarray(idat.at - 4, crc)), crc);
    expect((rejection(flipped) as Error).message).toMatch(/corrupt or truncated image \(PNG: (its image data|row)/);
  });

  it('checks the pixel limit from the header, and leaves interlaced PNGs and those with other chunks (EXIF, ICC profile, unknown) to sharp', async () => {
    const png = (await variants()).rgb;
    const over = new ItemRejected('over');
    expect(() => checkPng(png, (w, h) => (w * h > 100 ? over : null))).toThrow(over);
    const interlaced = await sharp(pixels(30, 20, 3), { raw: { width: 30, height: 20, channels: 3 } })
      .png({ progressive: true })
      .toBuffer();
    expect(checkPng(interlaced, noLimit)).toBeNull();
    expect(checkPng(withChunk(png, 'eXIf', Buffer.from('MM\0*\0\0\0\x08\0\0', 'latin1')), noLimit)).toBeNull();
    expect(checkPng(withChunk(png, 'iCCP', Buffer.from('a profile\0\0', 'latin1')), noLimit)).toBeNull();
    expect(checkPng(withChunk(png, 'teSt', Buffer.alloc(3)), noLimit)).toBeNull();
    expect(checkPng(withChunk(png, 'sBIT', Buffer.from([8, 8, 8])), noLimit)).toEqual({ width: 30, height: 20, channels: 3 });
    expect(checkPng(Buffer.from('GIF89a...'), noLimit)).toBeNull();
    expect((await decodeImage(interlaced, { maxPixels: 1e6 })).channels).toBe(3);
  });
});

describe('importing small PNGs', () => {
  it('stores good ones as they are and rejects a truncated one whose header is whole, naming it', async () => {
    const src = path.join(dir, 'src');
    mkdirSync(src);
    const kinds = await variants();
    for (const [kind, png] of Object.entries(kinds)) writeFileSync(path.join(src, `${kind}.png`), png);
    writeFileSync(path.join(src, 'cut.png'), kinds.rgba.subarray(0, kinds.rgba.length - 20));
    const project = Project.open(path.join(dir, 'data'));
    try {
      const summary = await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [src] });
      expect(summary.imported).toBe(Object.keys(kinds).length);
      expect(summary.rejected).toEqual([{ item: 'cut.png', reason: expect.stringMatching(/^corrupt or truncated image/) as unknown }]);
      const rgba = project.store.images.get(project.store.images.idsByName('rgba.png')[0]!)!;
      expect([rgba.format, rgba.width, rgba.height, rgba.channels]).toEqual(['png', 30, 20, 4]);
      expect(project.store.images.thumbnail(rgba.id)).toBeUndefined();
    } finally {
      project.close();
    }
  });
});
