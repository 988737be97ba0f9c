/**
 * `polyhead synth`: synthetic labelled crops rendered with @napi-rs/canvas from the
 * system's fonts. House numbers: 1..5 digits (some 6+, length '>5'), SVHN-like variety —
 * font, size, spacing, colours and gradients, small rotation, neighbouring digits cut by
 * the crop, partial occlusion, blur and noise. Script words: short words in eight scripts.
 * Every crop is labelled digits/length (house numbers), font_style (the family's style
 * group) and script, in a labels.csv the importer reads. Held-out font families go to a
 * folder of their own.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { mulberry32 } from '../../shared/random.js';
import { findFonts, type FontSpec, type Script } from './fonts.js';

export type SynthKind = 'house-numbers' | 'script-words';

export const WORDS: Record<Script, string[]> = {
  latin: ['house', 'street', 'north', 'river', 'garden', 'market', 'station', 'bakery', 'hotel', 'park', 'avenue', 'bridge'],
  cyrillic: ['дом', 'улица', 'север', 'река', 'сад', 'рынок', 'вокзал', 'пекарня', 'отель', 'парк', 'мост'],
  greek: ['σπίτι', 'δρόμος', 'βορράς', 'ποτάμι', 'κήπος', 'αγορά', 'σταθμός', 'φούρνος', 'πάρκο', 'γέφυρα'],
  arabic: ['بيت', 'شارع', 'شمال', 'نهر', 'حديقة', 'سوق', 'محطة', 'مخبز', 'فندق', 'جسر'],
  hebrew: ['בית', 'רחוב', 'צפון', 'נהר', 'גן', 'שוק', 'תחנה', 'מאפייה', 'מלון', 'גשר'],
  devanagari: ['घर', 'सड़क', 'उत्तर', 'नदी', 'बगीचा', 'बाज़ार', 'स्टेशन', 'होटल', 'पुल'],
  thai: ['บ้าน', 'ถนน', 'เหนือ', 'แม่น้ำ', 'สวน', 'ตลาด', 'สถานี', 'โรงแรม', 'สะพาน'],
  cjk: ['家', '街道', '北', '河', '花园', '市场', '车站', '面包店', '酒店', '桥'],
};

export interface SynthOptions {
  out: string;
  kind: SynthKind;
  count: number;
  seed?: number;
  /** Only these font families. */
  fonts?: string[];
  /** Hold out this share of font families (per style group) into out/heldout; the rest go to out/train. */
  holdout?: number;
}

export interface SynthResult {
  written: number;
  dirs: string[];
  fontsUsed: string[];
  heldOut: string[];
  missing: { family: string; file: string; pkg: string }[];
  files: { file: string; dir: string; family: string; labels: Record<string, string> }[];
}

type Rgb = [number, number, number];
const luminance = ([r, g, b]: Rgb) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
const css = ([r, g, b]: Rgb, a = 1) => `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${a})`;

export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const random = mulberry32(options.seed ?? 1);
  const between = (a: number, b: number) => a + random() * (b - a);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const { found, missing } = findFonts(options.fonts);
  if (found.length === 0) {
    throw new Error(`no fonts found (install e.g. fonts-dejavu-core); missing: ${missing.map((m) => m.family).join(', ')}`);
  }
  const usable = (font: FontSpec) => (options.kind === 'house-numbers' ? font.scripts.includes('latin') : true);
  const fonts = found.filter(usable);
  fonts.forEach((f, i) => GlobalFonts.registerFromPath(f.path, `synth-${i}`));
  const alias = new Map(fonts.map((f, i) => [f.family, `synth-${i}`]));

  // Held-out families: the same share of every style group.
  const heldOut = new Set<string>();
  if (options.holdout && options.holdout > 0) {
    for (const group of new Set(fonts.map((f) => f.group))) {
      const members = fonts.filter((f) => f.group === group);
      const n = Math.min(members.length - 1, Math.round(members.length * options.holdout));
      [...members]
        .sort(() => random() - 0.5)
        .slice(0, Math.max(0, n))
        .forEach((f) => heldOut.add(f.family));
    }
  }
  const dirOf = (family: string) => (options.holdout ? path.join(options.out, heldOut.has(family) ? 'heldout' : 'train') : options.out);
  const result: SynthResult = {
    written: 0,
    dirs: options.holdout ? [path.join(options.out, 'train'), path.join(options.out, 'heldout')] : [options.out],
    fontsUsed: fonts.map((f) => f.family),
    heldOut: [...heldOut],
    missing: missing.map((m) => ({ family: m.family, file: m.file, pkg: m.pkg })),
    files: [],
  };
  for (const dir of result.dirs) await mkdir(dir, { recursive: true });

  const scripts = (Object.keys(WORDS) as Script[]).filter((s) => fonts.some((f) => f.scripts.includes(s)));
  for (let i = 0; i < options.count; i++) {
    let text: string;
    let font: FontSpec;
    const labels: Record<string, string> = {};
    if (options.kind === 'house-numbers') {
      const length = random() < 0.06 ? pick([6, 7]) : pick([1, 2, 2, 3, 3, 3, 4, 4, 5]);
      text = Array.from({ length }, (_, k) => String(k === 0 ? 1 + Math.floor(random() * 9) : Math.floor(random() * 10))).join('');
      font = pick(fonts);
      labels.digits = text;
      labels.length = length > 5 ? '>5' : String(length);
      labels.script = 'latin';
    } else {
      const script = pick(scripts);
      font = pick(fonts.filter((f) => f.scripts.includes(script)));
      text = pick(WORDS[script]);
      labels.script = script;
    }
    labels.font_style = font.group;

    const size = Math.round(between(24, 36));
    const fontCss = `${size}px "${alias.get(font.family)}"`;
    const probe = createCanvas(8, 8).getContext('2d');
    probe.font = fontCss;
    const spacing = options.kind === 'house-numbers' ? between(-1, 5) : 0;
    const glyphs = options.kind === 'house-numbers' ? [...text] : [text];
    const widths = glyphs.map((g) => probe.measureText(g).width);
    const textWidth = widths.reduce((a, b) => a + b, 0) + spacing * (glyphs.length - 1);
    const padX = Math.round(between(6, 14));
    const H = 48;
    // A little slack: some fonts draw past their advance widths.
    const W = Math.max(24, Math.ceil(textWidth * 1.08 + size * 0.1 + 2 * padX));
    const canvas = createCanvas(W, H);
    const ctx = canvas.getContext('2d');

    const bg: Rgb = [between(0, 255), between(0, 255), between(0, 255)];
    let fg: Rgb = [between(0, 255), between(0, 255), between(0, 255)];
    for (let tries = 0; tries < 20 && Math.abs(luminance(fg) - luminance(bg)) < 0.35; tries++) fg = [between(0, 255), between(0, 255), between(0, 255)];
    if (Math.abs(luminance(fg) - luminance(bg)) < 0.35) fg = luminance(bg) > 0.5 ? [20, 20, 20] : [240, 240, 240];
    if (random() < 0.3) {
      const g = ctx.createLinearGradient(0, 0, 0, H);
      g.addColorStop(0, css(bg));
      g.addColorStop(1, css(bg.map((c) => c * 0.75) as Rgb));
      ctx.fillStyle = g;
    } else {
      ctx.fillStyle = css(bg);
    }
    ctx.fillRect(0, 0, W, H);

    const draw = (c: SKRSContext2D, x0: number) => {
      let x = x0;
      glyphs.forEach((g, k) => {
        c.fillText(g, x, H / 2 + size * 0.35 + between(-1.5, 1.5));
        x += widths[k]! + spacing;
      });
    };
    ctx.save();
    ctx.translate(W / 2, H / 2);
    ctx.rotate(between(-0.07, 0.07));
    ctx.translate(-W / 2, -H / 2);
    ctx.font = fontCss;
    ctx.fillStyle = css(fg);
    ctx.textBaseline = 'alphabetic';
    if (options.kind === 'script-words' && (labels.script === 'arabic' || labels.script === 'hebrew')) ctx.direction = 'rtl';
    if (ctx.direction === 'rtl') {
      ctx.textAlign = 'right';
      draw(ctx, W - padX);
    } else {
      draw(ctx, padX);
    }
    // Neighbouring characters cut by the crop (not part of the label).
    // Only slivers show (at most ~12% of a glyph's size), with the label's padding in between.
    if (options.kind === 'house-numbers' && padX >= 9 && random() < 0.35) {
      ctx.textAlign = 'left';
      const neighbour = String(Math.floor(random() * 10));
      const w = probe.measureText(neighbour).width;
      ctx.fillText(neighbour, -w + size * between(0.04, 0.12), H / 2 + size * 0.35);
      if (random() < 0.5) ctx.fillText(String(Math.floor(random() * 10)), W - size * between(0.04, 0.12), H / 2 + size * 0.35);
    }
    ctx.restore();
    // Partial occlusion: a bar across part of the text.
    if (random() < 0.2) {
      ctx.fillStyle = css([between(0, 255), between(0, 255), between(0, 255)], 0.85);
      const vertical = random() < 0.5;
      if (vertical) ctx.fillRect(between(0, W), 0, between(2, 4), H);
      else ctx.fillRect(0, between(H * 0.15, H * 0.85), W, between(1.5, 3));
    }
    // Blur (some), then noise.
    let out = canvas;
    if (random() < 0.35) {
      const blurred = createCanvas(W, H);
      const b = blurred.getContext('2d');
      b.filter = `blur(${between(0.4, 1.1).toFixed(2)}px)`;
      b.drawImage(canvas, 0, 0);
      out = blurred;
    }
    const octx = out.getContext('2d');
    const image = octx.getImageData(0, 0, W, H);
    const noise = between(2, 14);
    for (let p = 0; p < image.data.length; p += 4) {
      const n = (random() + random() - 1) * noise;
      image.data[p] = Math.max(0, Math.min(255, image.data[p]! + n));
      image.data[p + 1] = Math.max(0, Math.min(255, image.data[p + 1]! + n));
      image.data[p + 2] = Math.max(0, Math.min(255, image.data[p + 2]! + n));
    }
    octx.putImageData(image, 0, 0);

    const file = `${options.kind === 'house-numbers' ? 'hn' : 'word'}-${String(i).padStart(5, '0')}.png`;
    const dir = dirOf(font.family);
    await writeFile(path.join(dir, file), await out.encode('png'));
    result.files.push({ file, dir, family: font.family, labels });
    result.written++;
  }

  const columns = options.kind === 'house-numbers' ? ['digits', 'length', 'font_style', 'script'] : ['font_style', 'script'];
  for (const dir of result.dirs) {
    const rows = result.files.filter((f) => f.dir === dir).map((f) => [f.file, ...columns.map((c) => f.labels[c] ?? '')].join(','));
    await writeFile(path.join(dir, 'labels.csv'), [['file', ...columns].join(','), ...rows].join('\n') + '\n');
    await writeFile(
      path.join(dir, 'synth-meta.json'),
      JSON.stringify(
        {
          kind: options.kind,
          seed: options.seed ?? 1,
          fonts: Object.fromEntries(result.files.filter((f) => f.dir === dir).map((f) => [f.file, f.family])),
          heldOut: result.heldOut,
        },
        null,
        1,
      ),
    );
  }
  return result;
}

/** A grid of the first crops (10 per row), to look at by eye. */
export async function contactSheet(result: SynthResult, outFile: string, count = 100): Promise<void> {
  const { default: sharp } = await import('sharp');
  const cellW = 170;
  const cellH = 56;
  const files = result.files.slice(0, count);
  const tiles = await Promise.all(
    files.map(async (f, i) => ({
      input: await sharp(path.join(f.dir, f.file))
        .resize(cellW - 10, cellH - 8, { fit: 'contain', background: '#ffffff' })
        .png()
        .toBuffer(),
      left: (i % 10) * cellW + 5,
      top: Math.floor(i / 10) * cellH + 4,
    })),
  );
  await mkdir(path.dirname(outFile), { recursive: true });
  await sharp({ create: { width: cellW * 10, height: cellH * Math.ceil(files.length / 10), channels: 3, background: '#ffffff' } })
    .composite(tiles)
    .png()
    .toFile(outFile);
}
