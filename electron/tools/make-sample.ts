/**
 * Builds the bundled sample set under resources/sample/: house-number-like crops composed
 * from real handwritten MNIST digits (1..5 digits, a few longer), on varied colours with
 * noise, plus labels.csv covering every label state (values, explicit unknowns, not yet
 * looked at). Run once by a developer (`npm run make:sample`); the output is committed,
 * so the app does not need ../shared at run time.
 *
 *   node dist/node/electron/tools/make-sample.js MNIST_IDX_IMAGES MNIST_IDX_LABELS OUT_DIR [COUNT] [SEED]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../shared/random.js';
import { readIdxImages, readIdxLabels } from '../importer/idx.js';

async function main(): Promise<void> {
  const [imagesFile, labelsFile, outDir, countArg, seedArg] = process.argv.slice(2);
  if (!imagesFile || !labelsFile || !outDir) throw new Error('usage: make-sample IMAGES LABELS OUT_DIR [COUNT] [SEED]');
  const count = Number(countArg ?? 300);
  const random = mulberry32(Number(seedArg ?? 7));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const images = await readIdxImages(imagesFile);
  const labels = await readIdxLabels(labelsFile);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const H = 32;
  const rows = ['file,digits,length,font_style,script'];
  for (let n = 0; n < count; n++) {
    const length = random() < 0.04 ? 6 : pick([1, 2, 2, 3, 3, 3, 4, 4, 5]);
    const indices = Array.from({ length }, () => Math.floor(random() * images.count));
    const digits = indices.map((i) => String(labels[i])).join('');
    const scale = 0.75 + random() * 0.3;
    const size = Math.round(28 * scale);
    const gap = Math.round(random() * 3) - 1;
    // Crop each digit to its ink columns so spacing looks like a printed number.
    const glyphs = await Promise.all(
      indices.map(async (i) => {
        const px = images.pixels.subarray(i * 784, (i + 1) * 784);
        let left = 0;
        let right = 27;
        const colInk = (x: number) => Array.from({ length: 28 }, (_, y) => px[y * 28 + x]!).some((v) => v > 40);
        while (left < right && !colInk(left)) left++;
        while (right > left && !colInk(right)) right--;
        const w = right - left + 1;
        const { data, info } = await sharp(Buffer.from(px), { raw: { width: 28, height: 28, channels: 1 } })
          .extract({ left, top: 0, width: w, height: 28 })
          .resize({ height: size, width: Math.max(1, Math.round(w * scale)) })
          .extractChannel(0)
          .raw()
          .toBuffer({ resolveWithObject: true });
        return { data, width: info.width, height: info.height };
      }),
    );
    const pad = 3 + Math.floor(random() * 4);
    const W = pad * 2 + glyphs.reduce((s, g) => s + g.width, 0) + gap * (glyphs.length - 1);
    const bg = [random() * 255, random() * 255, random() * 255];
    // Foreground far enough from the background to be readable.
    const fg = bg.map((c) => (c > 128 ? c - 110 - random() * 40 : c + 110 + random() * 40));
    const out = Buffer.alloc(W * H * 3);
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = bg[c]!;
    let x0 = pad;
    for (const g of glyphs) {
      const y0 = Math.floor((H - g.height) / 2) + Math.round(random() * 2 - 1);
      for (let y = 0; y < g.height; y++)
        for (let x = 0; x < g.width; x++) {
          const yy = y + y0;
          const xx = x + x0;
          if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
          const a = g.data[y * g.width + x]! / 255;
          for (let c = 0; c < 3; c++) out[(yy * W + xx) * 3 + c] = bg[c]! * (1 - a) + fg[c]! * a;
        }
      x0 += g.width + gap;
    }
    const noise = 3 + random() * 8;
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, out[i]! + (random() - 0.5) * 2 * noise));
    const name = `hn-${String(n).padStart(4, '0')}.png`;
    await sharp(out, { raw: { width: W, height: H, channels: 3 } })
      .blur(random() < 0.3 ? 0.6 : 0.3)
      .png({ compressionLevel: 9 })
      .toFile(path.join(outDir, name));
    const lengthClass = length > 5 ? '>5' : String(length);
    // Every label state appears: full labels, unreadable digits with a known length, partial, none.
    const r = n % 10;
    if (r < 5) rows.push(`${name},${digits},${lengthClass},handwriting,latin`);
    else if (r === 5) rows.push(`${name},?,${lengthClass},handwriting,latin`);
    else if (r === 6) rows.push(`${name},${digits},,,latin`);
    else if (r === 7) rows.push(`${name},${digits},,?,`);
    // r = 8, 9: not yet looked at.
  }
  await writeFile(path.join(outDir, 'labels.csv'), rows.join('\n') + '\n');
  await writeFile(
    path.join(outDir, 'NOTICE.md'),
    `# Bundled sample\n\n${count} house-number-like crops composed from handwritten digits of the MNIST training set\n` +
      '(Y. LeCun, C. Cortes and C. J. C. Burges, CC BY-SA 3.0), made by `npm run make:sample`.\n' +
      '`labels.csv` labels half of them fully and leaves the rest partly or wholly unlabeled, to label in the app.\n',
  );
  console.log(`wrote ${count} crops and labels.csv to ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
