import { createWriteStream, existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { DatasetExport, ParsedRequestOf } from '../../shared/api/contract.js';
import { conflict, invalidField } from '../../shared/errors.js';
import { nameProblem } from '../../shared/names.js';
import type { TargetDef } from '../../shared/targets.js';
import { IMAGE_EXTENSIONS } from '../importer/scan.js';
import type { ExportImageRow, ExportSelection } from '../store/label-export-repo.js';
import type { ServiceContext } from './context.js';
import { exportTargets, splitImageIds } from './export-labels.js';
import { byImage, labelRow } from './label-rows.js';

type Request = ParsedRequestOf<'exports', 'dataset'>;
const PAGE = 500;
const PROGRESS_EVERY_MS = 200;
const EXAMPLES = 5;
/** Folder names of the parts of a split, as torchvision and Keras users name them. */
const PART_FOLDERS = { train: 'train', validation: 'val', test: 'test' } as const;

/** Images left out, by reason, with a few examples each. */
class Skipped {
  private readonly byReason = new Map<string, { count: number; examples: string[] }>();
  add(reason: string, example: string): void {
    let entry = this.byReason.get(reason);
    if (!entry) this.byReason.set(reason, (entry = { count: 0, examples: [] }));
    if (entry.count++ < EXAMPLES) entry.examples.push(example);
  }
  list(): DatasetExport['skipped'] {
    return [...this.byReason].map(([reason, e]) => ({ reason, ...e }));
  }
}

/** Every file under `dir`, relative to it ('/' separators). */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(path.join(dir, entry.name), relative)));
    else out.push(relative);
  }
  return out;
}

/** The folder to write into: refused when it is a file, or not empty without `force`; returns what it held. */
async function prepareOut(out: string, force: boolean): Promise<string[]> {
  if (!existsSync(out)) {
    await mkdir(out, { recursive: true });
    return [];
  }
  if (!statSync(out).isDirectory()) throw invalidField('out', `${out} is a file, not a folder`);
  const before = await filesUnder(out);
  if (before.length > 0 && !force) {
    throw conflict(`${out} is not empty (${before.length} file(s)); nothing was written. Choose an empty folder, or force writing into it (--force)`);
  }
  return before;
}

/** Unique file names per folder (compared without case, for case-insensitive file systems). */
class Names {
  private readonly used = new Set<string>();
  take(folder: string, image: ExportImageRow): string {
    const base = path.posix.basename(image.originalName.replaceAll('\\', '/'));
    const ext = path.extname(image.storedPath);
    const stem = IMAGE_EXTENSIONS.has(path.extname(base).toLowerCase()) ? base.slice(0, -path.extname(base).length) : base;
    let name = `${stem}${ext}`;
    if (this.used.has(`${folder}/${name}`.toLowerCase())) name = `${stem}-${image.id}${ext}`;
    this.used.add(`${folder}/${name}`.toLowerCase());
    return folder ? `${folder}/${name}` : name;
  }
}

/**
 * Writes a dataset for training elsewhere (exports.dataset): 'folders' copies each image with a
 * human value of a categorical target into a folder named after its class (under train/val/test
 * by a run's split); 'jsonl' copies the images into images/ and writes manifest.jsonl with every
 * target (the labels file columns, so Polyhead can import it back). Pages of images, so a
 * 100,000-image project exports in constant memory.
 */
export async function exportDataset({ project, store, events }: ServiceContext, req: Request): Promise<DatasetExport> {
  const target = req.targetId === undefined ? null : store.targets.byId(req.targetId);
  if (req.format === 'folders' && target?.kind !== 'categorical' && target?.kind !== 'length') {
    throw invalidField('targetId', `'${target?.name}' is a ${target?.kind} target; the folders format needs one with classes`);
  }
  const parts = new Map<number, keyof typeof PART_FOLDERS>();
  if (req.splitRunId !== undefined) {
    for (const part of ['train', 'validation', 'test'] as const) {
      for (const id of splitImageIds(store, req.splitRunId, part, 'splitRunId')) parts.set(id, part);
    }
  }
  const out = path.resolve(req.out);
  const before = await prepareOut(out, req.force);
  const targets = exportTargets(store, undefined);
  const selection: ExportSelection = {
    labeledIn: req.format === 'folders' ? [target!.id] : req.labeledOnly ? targets.map((t) => t.id) : null,
    classOf: null,
    imageIds: null,
  };
  const total = store.labelExports.count(selection);
  const skipped = new Skipped();
  const counts: Record<string, number> = {};
  const written = new Set<string>();
  const names = new Names();
  const manifest = req.format === 'jsonl' ? createWriteStream(path.join(out, 'manifest.jsonl')) : null;
  if (manifest) written.add('manifest.jsonl');
  let done = 0;
  let lastEmit = 0;
  try {
    for (let after = 0; ;) {
      const { images, annotations } = store.read(() => {
        const page = store.labelExports.page(selection, after, PAGE);
        return { images: page, annotations: byImage(store.labelExports.annotations(page.map((i) => i.id))) };
      });
      if (images.length === 0) break;
      after = images[images.length - 1]!.id;
      const copies: Promise<void>[] = [];
      for (const image of images) {
        const labels = annotations.get(image.id) ?? [];
        const part = parts.get(image.id);
        const destination = destinationOf(req, target, image, labels, part, skipped);
        if (destination === null) continue;
        const file = names.take(destination, image);
        const source = project.resolveStored(image.storedPath);
        if (!source) {
          skipped.add('its stored file is outside the project folder', image.originalName);
          continue;
        }
        copies.push(copyInto(out, file, source));
        written.add(file);
        counts[destination || 'images'] = (counts[destination || 'images'] ?? 0) + 1;
        if (manifest) {
          // The split is in the path (images/train/…); the rows keep the labels file's columns only, so they import back as they are.
          const row = labelRow(image, file, targets, labels, { format: 'jsonl', predictions: false });
          if (!manifest.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((r) => manifest.once('drain', () => r()));
        }
      }
      await Promise.all(copies);
      done += images.length;
      if (Date.now() - lastEmit >= PROGRESS_EVERY_MS) {
        lastEmit = Date.now();
        events.emit('export.progress', { out, done, total });
      }
    }
  } finally {
    if (manifest) {
      manifest.end();
      await finished(manifest);
    }
  }
  events.emit('export.progress', { out, done: total, total });
  return {
    dir: out,
    images: written.size - (manifest ? 1 : 0),
    counts,
    skipped: skipped.list(),
    foreign: before.filter((f) => !written.has(f)),
  };
}

/** The folder (relative to out) an image goes to, or null (and why, in `skipped`). */
function destinationOf(
  req: Request,
  target: TargetDef | null,
  image: ExportImageRow,
  labels: { target_id: number; source: string; state: string; class_name: string | null }[],
  part: keyof typeof PART_FOLDERS | undefined,
  skipped: Skipped,
): string | null {
  if (req.splitRunId !== undefined && !part) {
    skipped.add(`not in run ${req.splitRunId}'s split (labeled or imported after it started)`, image.originalName);
    return null;
  }
  const prefix = part ? PART_FOLDERS[part] : '';
  if (req.format === 'jsonl') return prefix ? `images/${prefix}` : 'images';
  const label = labels.find((l) => l.target_id === target!.id && l.source === 'human');
  if (!label || label.state !== 'value' || !label.class_name) {
    skipped.add(`${target!.name} is unknown`, image.originalName);
    return null;
  }
  const why = nameProblem(label.class_name);
  if (why) {
    skipped.add(`class '${label.class_name}' cannot be a folder name (it ${why}); rename the class`, image.originalName);
    return null;
  }
  return prefix ? `${prefix}/${label.class_name}` : label.class_name;
}

async function copyInto(out: string, file: string, source: string): Promise<void> {
  const destination = path.join(out, ...file.split('/'));
  await mkdir(path.dirname(destination), { recursive: true });
  await copyFile(source, destination);
}
