/**
 * OCR line ground truth as it is commonly laid out (tesstrain, OCR-D, kraken, ocropus):
 * `NAME.gt.txt` beside the line image `NAME.png` (or `.tif`, …; also `NAME.bin.png` and
 * `NAME.nrm.png`), UTF-8, one line. Each transcript becomes the value of a sequence target
 * named by the import; one with characters outside the target's alphabet is reported by
 * file name and left out (or the alphabet is extended first, on request); the rest goes on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import { charsOf, charsOutside, MAX_SEQUENCE_CHARS, type TargetDef } from '../../shared/targets.js';
import { invalidField } from '../../shared/errors.js';
import { extendAlphabet } from '../store/sequence-targets.js';
import type { Store } from '../store/store.js';
import type { LabelRecord } from './labels.js';
import type { ImageFile } from './scan.js';

export const TRANSCRIPT_SUFFIX = '.gt.txt';
/** Suffixes of line images that share their transcript's name (ocropus: binarized, normalized). */
const IMAGE_VARIANTS = ['.bin', '.nrm', '.raw'];
const READ_CONCURRENCY = 8;

export interface TranscriptOptions {
  /** The sequence target the transcripts label. */
  target: string;
  /** Add characters outside the alphabet to it instead of reporting them. */
  extendAlphabet?: boolean;
}

/** The sequence target of `options`, or an error that says how to create it. */
export function transcriptTarget(store: Store, options: TranscriptOptions): TargetDef {
  const target = store.targets.byName(options.target);
  if (!target) {
    throw invalidField(
      'transcripts.target',
      `no target named '${options.target}'; create it first, e.g. \`polyhead targets add ${options.target} --alphabet CHARS --max-length N --data DIR\` (or in Targets)`,
    );
  }
  if (target.kind !== 'sequence')
    throw invalidField('transcripts.target', `'${options.target}' is a ${target.kind} target; transcripts label a sequence target`);
  return target;
}

/** Takes the transcript files out of the files a scan ignored (they are not images, label files or IDX files). */
export function takeTranscripts(ignored: string[]): string[] {
  const transcripts = ignored.filter((f) => f.toLowerCase().endsWith(TRANSCRIPT_SUFFIX));
  const taken = new Set(transcripts);
  ignored.splice(0, ignored.length, ...ignored.filter((f) => !taken.has(f)));
  return transcripts;
}

/** The keys under which a transcript finds an image: its folder and name, without extension and variant suffix. */
function imageKeys(file: string): string[] {
  const stem = path.join(path.dirname(file), path.basename(file, path.extname(file)));
  const variant = IMAGE_VARIANTS.find((v) => stem.toLowerCase().endsWith(v));
  return variant ? [stem, stem.slice(0, -variant.length)] : [stem];
}

/** One transcript's text, or why it cannot be one. */
async function readTranscript(file: string): Promise<{ text: string } | { problem: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { problem: `cannot read: ${(error as Error).message}` };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { problem: 'not valid UTF-8' };
  }
  // One line, as written by most tools with a final newline; NFC, as text typed in the app is.
  text = text.replace(/\r?\n$/, '').normalize('NFC');
  if (/[\r\n]/.test(text)) return { problem: `has ${text.split(/\r?\n|\r/).length} lines; a transcript is one line (not labeled)` };
  if (text.trim() === '') return { problem: 'is empty (not labeled)' };
  if (charsOf(text).length > MAX_SEQUENCE_CHARS) return { problem: `is longer than ${MAX_SEQUENCE_CHARS} characters (not labeled)` };
  return { text };
}

/** The transcripts of an import, by image file. */
export class Transcripts {
  private constructor(private readonly byImage: Map<string, LabelRecord>) {}

  static none(): Transcripts {
    return new Transcripts(new Map());
  }

  /**
   * Reads the transcript files and matches them to the import's images. Without `options`
   * nothing is read: the summary says how many were found and how to use them.
   */
  static async read(files: string[], images: ImageFile[], options: TranscriptOptions | undefined, store: Store, summary: ImportSummary): Promise<Transcripts> {
    if (files.length === 0) return Transcripts.none();
    const report = { target: options?.target ?? null, files: files.length, matched: 0, alphabetAdded: '' };
    summary.transcripts = report;
    if (!options) return Transcripts.none();
    let target = transcriptTarget(store, options);

    const imagesByKey = new Map<string, ImageFile[]>();
    for (const image of images) {
      for (const key of imageKeys(image.file)) imagesByKey.set(key, [...(imagesByKey.get(key) ?? []), image]);
    }
    const read: { name: string; text: string; images: ImageFile[] }[] = [];
    const matched: { name: string; file: string; images: ImageFile[] }[] = [];
    for (const file of files) {
      const stem = file.slice(0, -TRANSCRIPT_SUFFIX.length);
      const matches = imagesByKey.get(stem) ?? [];
      // Named as the user knows it: beside its image, relative to the folder imported.
      const name = matches[0] ? path.posix.join(path.posix.dirname(matches[0].relative), path.basename(file)) : file;
      if (matches.length === 0) summary.labelProblems.push({ item: name, reason: `no image beside it (${path.basename(stem)}.png, .jpg, .tif, …); not used` });
      else matched.push({ name, file, images: matches });
    }
    // A few reads at a time (a line data set has one small file per image), results kept in file order.
    const results = new Array<Awaited<ReturnType<typeof readTranscript>>>(matched.length);
    let next = 0;
    const reader = async () => {
      for (let k = next++; k < matched.length; k = next++) results[k] = await readTranscript(matched[k]!.file);
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, reader));
    matched.forEach((m, k) => {
      const result = results[k]!;
      if ('problem' in result) summary.labelProblems.push({ item: m.name, reason: result.problem });
      else read.push({ name: m.name, text: result.text, images: m.images });
    });

    if (options.extendAlphabet) {
      const added = extendAlphabet(store.db, store.targets, target.id, read.map((r) => r.text).join(''));
      report.alphabetAdded = added;
      target = store.targets.byId(target.id);
    }
    const byImage = new Map<string, LabelRecord>();
    for (const r of read) {
      const outside = charsOutside(r.text, target.alphabet ?? '');
      if (outside !== '') {
        const list = charsOf(outside)
          .map((c) => `'${c}'`)
          .join(', ');
        summary.labelProblems.push({
          item: r.name,
          reason: `${charsOf(outside).length === 1 ? 'character' : 'characters'} ${list} not in the alphabet of '${target.name}'; not labeled`,
          remedy: 'extendAlphabet',
        });
        continue;
      }
      for (const image of r.images) byImage.set(image.file, { origin: r.name, values: new Map([[target.name, r.text]]) });
      report.matched++;
    }
    return new Transcripts(byImage);
  }

  /** An image's labels with its transcript added (the transcript wins over a label file's value for the same target). */
  withTranscript(file: string, record: LabelRecord | null): LabelRecord | null {
    const transcript = this.byImage.get(file);
    if (!transcript) return record;
    if (!record) return transcript;
    return { ...record, origin: `${record.origin} and ${transcript.origin}`, values: new Map([...record.values, ...transcript.values]) };
  }
}
