/** Export commands: export-labels (a labels file the importer reads back) and export-dataset (images for training elsewhere). */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import type { DatasetExport } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { eachLabelPage, type LabelExportRequest } from '../../../shared/api/export-pages.js';
import { UsageError } from '../errors.js';
import { parseInteger, parseRunId, progressLine, withSession } from '../session.js';

const PARTS = ['train', 'validation', 'test'] as const;
const collect = (value: string, previous: string[] = []) => [...previous, value];

function bar(done: number, total: number, what: string): string {
  const width = 24;
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}   `;
}

function targetNamed(targets: TargetDef[], name: string, flag: string): TargetDef {
  const target = targets.find((t) => t.name === name);
  if (!target) throw new UsageError(`${flag}: no target named '${name}' (targets: ${targets.map((t) => t.name).join(', ')})`);
  return target;
}

function formatFromFile(file: string): 'csv' | 'jsonl' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new UsageError(`--out must end in .csv or .jsonl (the extension picks the format), got '${file}'`);
}

interface LabelsOptions {
  data?: string;
  out?: string;
  target?: string[];
  class?: string;
  labeled?: boolean;
  splitRun?: string;
  splitPart?: string;
  predictions?: boolean;
  force?: boolean;
}

/** The request an export-labels command line asks for, with target and class names resolved. */
function labelsRequest(options: LabelsOptions, targets: TargetDef[], format: 'csv' | 'jsonl'): LabelExportRequest {
  const request: LabelExportRequest = { format, labeledOnly: options.labeled ?? false, predictions: options.predictions ?? false };
  if (options.target) request.targetIds = options.target.map((name) => targetNamed(targets, name, '--target').id);
  if (options.class) {
    const [name, cls] = options.class.split('=', 2);
    if (!name || !cls) throw new UsageError(`--class must be TARGET=CLASS, got '${options.class}'`);
    const target = targetNamed(targets, name, '--class');
    const found = target.classes.find((c) => c.name === cls);
    if (!found) throw new UsageError(`--class: '${cls}' is not a class of ${name} (classes: ${target.classes.map((c) => c.name).join(', ')})`);
    request.classOf = { targetId: target.id, classId: found.id };
  }
  if (options.splitRun !== undefined || options.splitPart !== undefined) {
    const part = options.splitPart as (typeof PARTS)[number];
    if (!PARTS.includes(part)) throw new UsageError(`--split-run needs --split-part ${PARTS.join('|')}`);
    request.split = { runId: parseRunId(options.splitRun), part };
  }
  return request;
}

function formatDatasetExport(result: DatasetExport): string {
  const lines = [`wrote ${result.images} image(s) to ${result.dir}`];
  for (const [folder, n] of Object.entries(result.counts).sort()) lines.push(`  ${folder.padEnd(30)} ${String(n).padStart(7)}`);
  for (const s of result.skipped) lines.push(`left out: ${s.count} image(s): ${s.reason} (e.g. ${s.examples.join(', ')})`);
  if (result.foreign.length > 0) {
    const shown = result.foreign.slice(0, 10).join(', ');
    lines.push(
      `warning: ${result.foreign.length} file(s) in the folder are not part of this export and were left as they were: ${shown}${result.foreign.length > 10 ? ', …' : ''}`,
    );
  }
  return lines.join('\n');
}

export function registerExportCommands(program: Command): void {
  program
    .command('export-labels')
    .description(
      "Write every image's labels to FILE (.csv or .jsonl): the importer's columns with each label's source (human: typed here; imported; accepted; derived; model), run and confidence, so `polyhead import FILE` reads them back (as imported labels).",
    )
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--out <FILE>', 'the labels file to write; .csv or .jsonl picks the format')
    .option('--labeled', 'only images with a human label (a value or unknown) of an exported target')
    .option('--target <NAME>', 'export this target only (repeat for several)', collect)
    .option('--class <TARGET=CLASS>', 'only images of this class')
    .option('--split-run <RUN>', "only images of one part of this run's split (with --split-part)")
    .option('--split-part <PART>', 'train, validation or test')
    .option('--predictions', "where no person labelled a target, the model's prediction (source model, with run and confidence)")
    .option('--force', 'overwrite FILE if it exists')
    .action(async (options: LabelsOptions) =>
      withSession(options.data, 'existing', async ({ api }) => {
        if (!options.out) throw new UsageError('--out FILE is required');
        const out = path.resolve(options.out);
        const format = formatFromFile(out);
        if (existsSync(out) && !options.force) throw new Error(`${out} exists; nothing was written (--force overwrites it)`);
        const request = labelsRequest(options, await api.targets.list({}), format);
        // Written beside the target and renamed at the end: an interrupted export leaves no half file under its name.
        const partial = `${out}.partial-${process.pid}`;
        const stream = createWriteStream(partial);
        try {
          const { rows } = await eachLabelPage(api, request, async (page, done, total) => {
            if (!stream.write(page.text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
            progressLine(bar(done, total, 'rows'), page.next === null);
          });
          stream.end();
          await finished(stream);
          await rename(partial, out);
          console.log(`wrote ${rows} row(s) to ${out}`);
        } catch (error) {
          stream.destroy();
          await rm(partial, { force: true });
          throw error;
        }
      }),
    );

  program
    .command('export-dataset')
    .description(
      'Write images for training elsewhere into the folder OUT: --format folders (one folder per class of --target, as torchvision ImageFolder and Keras read them; train/val/test by --split-run) or jsonl (images/ and manifest.jsonl with every target).',
    )
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--out <DIR>', 'the folder to write (created if missing; must be empty unless --force)')
    .option('--format <FORMAT>', 'folders or jsonl')
    .option('--target <NAME>', 'folders: the categorical target whose classes name the folders')
    .option('--split-run <RUN>', "split into train/val/test as this run's split did")
    .option('--labeled', 'jsonl: only images with a human label')
    .option('--force', 'write into a folder that is not empty (same-named files are overwritten; others are listed and left)')
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        data?: string;
        out?: string;
        format?: string;
        target?: string;
        splitRun?: string;
        labeled?: boolean;
        force?: boolean;
        json?: boolean;
      }) =>
        withSession(options.data, 'existing', async (session) => {
          if (!options.out) throw new UsageError('--out DIR is required');
          if (options.format !== 'folders' && options.format !== 'jsonl')
            throw new UsageError(`--format must be folders or jsonl, got '${options.format ?? ''}'`);
          if (options.format === 'folders' && !options.target) throw new UsageError('--format folders needs --target NAME (a categorical target)');
          const targets = await session.api.targets.list({});
          const targetId = options.target ? targetNamed(targets, options.target, '--target').id : undefined;
          const splitRunId = options.splitRun === undefined ? undefined : parseInteger(options.splitRun, '--split-run', 1);
          const out = path.resolve(options.out);
          const stop = session.on('export.progress', (p) => p.out === out && progressLine(bar(p.done, p.total, 'images'), p.done === p.total));
          try {
            const result = await session.api.exports.dataset({
              out,
              format: options.format,
              targetId,
              splitRunId,
              labeledOnly: options.labeled ?? false,
              force: options.force ?? false,
            });
            console.log(options.json ? JSON.stringify(result, null, 2) : formatDatasetExport(result));
          } finally {
            stop();
          }
        }),
    );
}
