import { stringify } from 'csv-stringify/sync';
import type { LabelExportPage, ParsedRequestOf } from '../../shared/api/contract.js';
import { invalidField, notFound } from '../../shared/errors.js';
import { exportColumns } from '../../shared/label-file.js';
import type { TargetDef } from '../../shared/targets.js';
import type { ExportSelection } from '../store/label-export-repo.js';
import type { Store } from '../store/store.js';
import { byImage, labelRow } from './label-rows.js';

type Request = ParsedRequestOf<'exports', 'labels'>;

/** The targets to export, in project order; an unknown id is a bad field. */
export function exportTargets(store: Store, targetIds: number[] | undefined): TargetDef[] {
  const all = store.targets.list();
  if (!targetIds) return all;
  targetIds.forEach((id, i) => {
    if (!all.some((t) => t.id === id)) throw invalidField(`targetIds.${i}`, `no target ${id} in this project`);
  });
  return all.filter((t) => targetIds.includes(t.id));
}

/** The image ids of one part of a run's stored split. */
export function splitImageIds(store: Store, runId: number, part: 'train' | 'validation' | 'test', field: string): number[] {
  const run = store.runs.get(runId);
  if (!run) throw notFound(`Run ${runId}`);
  if (!run.split) throw invalidField(field, `run ${runId} has no stored split (it never started training)`);
  const split = JSON.parse(run.split) as Record<'train' | 'validation' | 'test', number[][]>;
  return [...new Set(split[part].flat())].sort((a, b) => a - b);
}

/** Which images a labels export takes, checked against the project. */
export function exportSelection(store: Store, req: Pick<Request, 'labeledOnly' | 'classOf' | 'split'>, targets: TargetDef[]): ExportSelection {
  if (req.classOf) {
    const target = store.targets.byId(req.classOf.targetId);
    if (!target.classes.some((c) => c.id === req.classOf!.classId)) {
      throw invalidField('classOf.classId', `class ${req.classOf.classId} is not a class of '${target.name}'`);
    }
  }
  return {
    labeledIn: req.labeledOnly ? targets.map((t) => t.id) : null,
    classOf: req.classOf ?? null,
    imageIds: req.split ? splitImageIds(store, req.split.runId, req.split.part, 'split.runId') : null,
  };
}

/** One page of a labels export, read from one snapshot of the database. */
export function exportLabelsPage(store: Store, req: Request): LabelExportPage {
  return store.read(() => {
    const targets = exportTargets(store, req.targetIds);
    const selection = exportSelection(store, req, targets);
    const images = store.labelExports.page(selection, req.after, req.limit);
    const annotations = byImage(store.labelExports.annotations(images.map((i) => i.id)));
    const options = { format: req.format, predictions: req.predictions };
    const rows = images.map((image) => labelRow(image, image.originalName, targets, annotations.get(image.id) ?? [], options));
    const columns = exportColumns(targets.map((t) => t.name));
    const text = req.format === 'csv' ? stringify(rows, { header: req.after === 0, columns }) : rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    return {
      text,
      rows: rows.length,
      next: images.length === req.limit ? images[images.length - 1]!.id : null,
      total: req.after === 0 ? store.labelExports.count(selection) : null,
      targetIds: targets.map((t) => t.id),
      columns,
    };
  });
}
