/**
 * Issue 13 points 1 and 3: labels exported as CSV and JSONL, imported into a fresh project
 * with the same images (the labels file alone, matched to the stored images), come back
 * identical: values, unknowns, not looked at, and their sources (accepted from a run's
 * suggestion with its confidence, derived, model predictions). A label typed in the source
 * project comes back 'imported' (it arrived by an import), and an imported one stays imported
 * through any number of round trips.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelExportPage } from '../../shared/api/contract.js';
import type { LabelInput } from '../../shared/targets.js';
import type { Runtime } from '../../electron/app/runtime.js';
import { writeLabel } from '../../electron/domain/labeling.js';
import { tempDir } from '../helpers.js';
import { call, importThroughApi, openProject, writeDistinctPng } from '../image-fixtures.js';

let dir: string;
let cleanup: () => void;
let source: Runtime;
const opened: Runtime[] = [];
const images = ['a/one.png', 'a/two.png', 'b/three.png', 'b/four.png', 'five.png', 'six.png', 'seven.png', 'eight.png'];

const idOf = (rt: Runtime, name: string) => rt.project.store.images.idsByName(name)[0]!;
const target = (rt: Runtime, name: string) => rt.project.store.targets.byName(name)!;
const value = (v: string): LabelInput => ({ kind: 'value', value: v });
const set = (name: string, t: string, label: LabelInput) =>
  call(source, 'annotations.set', { imageId: idOf(source, name), targetId: target(source, t).id, label });
/** A model prediction, as `predict` writes one (run 7 exists in no project of this test). */
const predict = (name: string, t: string, v: string, confidence: number) =>
  source.project.store.write(() =>
    writeLabel(source.project.store, idOf(source, name), target(source, t), value(v), { source: 'model', runId: 7, confidence }),
  );

/** Every label of every image, by file name: human labels in full, model labels where no human label of the target exists. */
function labelsOf(rt: Runtime): Record<string, string[]> {
  const { store } = rt.project;
  const names = new Map(store.targets.list().map((t) => [t.id, t.name]));
  const out: Record<string, string[]> = {};
  for (const name of images) {
    const rows = store.annotations.forImage(idOf(rt, name));
    out[name] = rows
      .filter((r) => r.source === 'human' || !rows.some((h) => h.source === 'human' && h.target_id === r.target_id))
      .map((r) => `${names.get(r.target_id)} ${r.source}/${r.origin} ${r.state} ${r.class_name ?? r.text_value} run ${r.run_id} conf ${r.confidence}`)
      .sort();
  }
  return out;
}

/** The labels as an import of them reads them back: what was typed in the source project arrives imported. */
const asImported = (labels: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(labels).map(([name, rows]) => [name, rows.map((r) => r.replace(' human/typed ', ' human/imported ')).sort()]));

/** Exports every page (3 rows a page, so paging is exercised) and writes the file. */
async function exportTo(file: string, format: 'csv' | 'jsonl', extra: Record<string, unknown> = {}, from: Runtime = source): Promise<LabelExportPage[]> {
  const pages: LabelExportPage[] = [];
  let after = 0;
  let targetIds: number[] | undefined;
  for (;;) {
    const page = await call<LabelExportPage>(from, 'exports.labels', { format, after, limit: 3, targetIds, ...extra });
    pages.push(page);
    targetIds = page.targetIds;
    if (page.next === null) break;
    after = page.next;
  }
  writeFileSync(file, pages.map((p) => p.text).join(''));
  return pages;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  for (const [i, name] of images.entries()) await writeDistinctPng(path.join(dir, 'src', name), i + 1);
  source = openProject(path.join(dir, 'source'));
  await importThroughApi(source, { paths: [path.join(dir, 'src')] });
  // Typed values, an unknown, a length set on its own, a contradiction (length 3, digits '45'),
  await set('a/one.png', 'digits', value('123'));
  await set('a/one.png', 'font_style', value('serif'));
  await set('a/one.png', 'script', { kind: 'unknown' });
  await set('a/two.png', 'digits', { kind: 'unknown' });
  await set('a/two.png', 'length', value('2'));
  await set('b/three.png', 'length', value('3'));
  await set('b/three.png', 'digits', value('45'));
  // suggestions accepted by a person (with their run and confidence), one left as a prediction,
  predict('b/four.png', 'font_style', 'mono', 0.8125);
  predict('b/four.png', 'digits', '77', 0.9);
  predict('five.png', 'script', 'greek', 0.61);
  await call(source, 'annotations.accept', { imageId: idOf(source, 'b/four.png'), targetId: target(source, 'font_style').id });
  await call(source, 'annotations.accept', { imageId: idOf(source, 'b/four.png'), targetId: target(source, 'digits').id });
  // a class made for this project, and images nobody looked at (six, seven, eight).
  await call(source, 'targets.addClass', { targetId: target(source, 'script').id, name: 'Japanese_(katakana)' });
  await set('five.png', 'font_style', value('sans'));
  await set('b/three.png', 'script', value('Japanese_(katakana)'));
});

afterAll(() => {
  for (const rt of opened) rt.close();
  source?.close();
  cleanup?.();
});

/** A fresh project with the same images, then the labels file alone. */
async function importInFresh(name: string, labelsFile: string) {
  const rt = openProject(path.join(dir, name));
  opened.push(rt);
  await importThroughApi(rt, { paths: [path.join(dir, 'src')] });
  // The fresh project needs the class made in the source project; nothing else is prepared.
  await call(rt, 'targets.addClass', { targetId: target(rt, 'script').id, name: 'Japanese_(katakana)' });
  const summary = await importThroughApi(rt, { paths: [labelsFile] });
  return { rt, summary };
}

describe('labels round trip', () => {
  it('CSV: a labels file alone onto the same images in a fresh project reproduces every label and its source', async () => {
    const file = path.join(dir, 'labels.csv');
    const pages = await exportTo(file, 'csv', { predictions: true });
    expect(pages[0]!.total).toBe(8);
    expect(pages.map((p) => p.rows)).toEqual([3, 3, 2]);
    const lines = pages
      .map((p) => p.text)
      .join('')
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe(
      'file,sha256,digits,digits:source,digits:run,digits:confidence,length,length:source,length:run,length:confidence,' +
        'font_style,font_style:source,font_style:run,font_style:confidence,script,script:source,script:run,script:confidence',
    );
    const row = (name: string) => lines.find((l) => l.startsWith(`${name},`))!.split(',');
    expect(row('a/one.png').slice(2)).toEqual(['123', 'human', '', '', '3', 'derived', '', '', 'serif', 'human', '', '', '?', 'human', '', '']);
    expect(row('b/four.png').slice(10, 14)).toEqual(['mono', 'accepted', '7', '0.8125']);
    expect(row('five.png').slice(14)).toEqual(['greek', 'model', '7', '0.61']);
    expect(
      row('six.png')
        .slice(2)
        .every((c) => c === ''),
    ).toBe(true);

    const { rt, summary } = await importInFresh('from-csv', file);
    expect(summary.imported).toBe(0);
    expect(summary.labelProblems).toEqual([
      {
        item: 'labels.csv',
        reason: 'labels name run(s) 7, which this project does not have (accepted or predicted in another project); written as the file gives them',
      },
    ]);
    expect(labelsOf(rt)).toEqual(asImported(labelsOf(source)));
    expect(labelsOf(rt)['b/four.png']).toContain('font_style human/accepted value mono run 7 conf 0.8125');
    expect(labelsOf(rt)['a/one.png']).toEqual([
      'digits human/imported value 123 run null conf null',
      'font_style human/imported value serif run null conf null',
      'length human/derived value 3 run null conf null',
      'script human/imported unknown null run null conf null',
    ]);

    // Exported again, imported labels say so in their source column and come back imported: the origin survives the trip.
    const again = path.join(dir, 'again.csv');
    const second = await exportTo(again, 'csv', { predictions: true }, rt);
    const firstRow = second
      .map((p) => p.text)
      .join('')
      .split('\n')
      .find((l) => l.startsWith('a/one.png,'))!
      .split(',');
    expect(firstRow.slice(2)).toEqual(['123', 'imported', '', '', '3', 'derived', '', '', 'serif', 'imported', '', '', '?', 'imported', '', '']);
    const { rt: third } = await importInFresh('from-export-of-import', again);
    expect(labelsOf(third)).toEqual(labelsOf(rt));
  });

  it('JSONL: the same, with null for unknown and no keys for a target not looked at', async () => {
    const file = path.join(dir, 'labels.jsonl');
    const pages = await exportTo(file, 'jsonl', { predictions: true });
    const rows = pages.flatMap((p) => p.text.trimEnd().split('\n')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(8);
    const one = rows.find((r) => r.file === 'a/one.png')!;
    expect(one).toMatchObject({ digits: '123', 'digits:source': 'human', script: null, 'script:source': 'human' });
    expect(Object.keys(rows.find((r) => r.file === 'six.png')!)).toEqual(['file', 'sha256']);
    const { rt } = await importInFresh('from-jsonl', file);
    expect(labelsOf(rt)).toEqual(asImported(labelsOf(source)));
  });

  it('a labels file never overwrites a human label of an image already in the project; it fills what is not looked at and says what it kept', async () => {
    const file = path.join(dir, 'human.csv');
    await exportTo(file, 'csv');
    const rt = openProject(path.join(dir, 'partly-labelled'));
    opened.push(rt);
    await importThroughApi(rt, { paths: [path.join(dir, 'src')] });
    await call(rt, 'annotations.set', { imageId: idOf(rt, 'a/one.png'), targetId: target(rt, 'font_style').id, label: value('mono') });
    const summary = await importThroughApi(rt, { paths: [file] });
    const font = rt.project.store.annotations.one(idOf(rt, 'a/one.png'), target(rt, 'font_style').id, 'human')!;
    expect(font.class_name).toBe('mono');
    expect(rt.project.store.annotations.one(idOf(rt, 'a/one.png'), target(rt, 'digits').id, 'human')!.text_value).toBe('123');
    expect(summary.labelProblems).toContainEqual({
      item: 'human.csv',
      reason: expect.stringContaining(
        "1 label(s) differ from the human label the image already has and were not applied (a labels file never overwrites a human label): human.csv line 2: font_style 'serif' (the image has 'mono')",
      ),
    });
    // No model label crossed over: the export was of human labels only.
    expect(rt.project.store.annotations.forImage(idOf(rt, 'five.png')).filter((r) => r.source === 'model')).toEqual([]);
  });

  it('matches a file name when it is unique, reports an ambiguous one instead of guessing, and uses a sha256 column over the name', async () => {
    const rt = openProject(path.join(dir, 'by-name'));
    opened.push(rt);
    await importThroughApi(rt, { paths: [path.join(dir, 'src')] });
    await writeDistinctPng(path.join(dir, 'dup', 'a', 'one.png'), 99);
    await importThroughApi(rt, { paths: [path.join(dir, 'dup')] }); // a second a/one.png, other content
    const three = rt.project.store.images.get(idOf(rt, 'b/three.png'))!;
    const file = path.join(dir, 'names.csv');
    writeFileSync(file, ['file,sha256,font_style', 'three.png,,serif', 'one.png,,sans', `renamed.png,${three.sha256},display`, 'nowhere.png,,mono'].join('\n'));
    const summary = await importThroughApi(rt, { paths: [file] });
    expect(summary.labelsApplied).toBe(1);
    // three.png is unique: labelled; the hash row names the same image, which has a human label now: kept, reported.
    expect(rt.project.store.annotations.one(three.id, target(rt, 'font_style').id, 'human')!.class_name).toBe('serif');
    const reasons = summary.labelProblems.map((p) => p.reason).join('\n');
    expect(reasons).toMatch(
      /1 row\(s\) name a file ambiguously and were not applied .*names\.csv line 3: 'one\.png' could be any of 2 images \(a\/one\.png \(image 1\), a\/one\.png \(image 9\)\)/,
    );
    expect(reasons).toMatch(/1 labelled file name\(s\) matched no image of this import or of the project \(nowhere\.png\)/);
    expect(reasons).toMatch(/names\.csv line 4: font_style 'display' \(the image has 'serif'\)/);
  });
});

describe('labels export filters', () => {
  const files = (page: LabelExportPage) =>
    page.text
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]);
  const exportOne = (extra: Record<string, unknown>) => call<LabelExportPage>(source, 'exports.labels', { format: 'csv', ...extra });

  it('only labeled, one target, one class, one part of a run split; each alone and combined', async () => {
    expect(files(await exportOne({ labeledOnly: true }))).toEqual(['a/one.png', 'a/two.png', 'b/four.png', 'b/three.png', 'five.png']);
    const font = target(source, 'font_style');
    const onlyFont = await exportOne({ labeledOnly: true, targetIds: [font.id] });
    expect(onlyFont.columns).toEqual(['file', 'sha256', 'font_style', 'font_style:source', 'font_style:run', 'font_style:confidence']);
    expect(files(onlyFont)).toEqual(['a/one.png', 'b/four.png', 'five.png']);
    const serif = font.classes.find((c) => c.name === 'serif')!;
    expect(files(await exportOne({ classOf: { targetId: font.id, classId: serif.id } }))).toEqual(['a/one.png']);

    const { store } = source.project;
    const runId = store.runs.create('split only', {}, 1);
    const id = (name: string) => [idOf(source, name)];
    store.runs.setSplit(runId, { train: [id('a/one.png'), id('a/two.png')], validation: [id('b/three.png')], test: [id('five.png'), id('six.png')] });
    const test = await exportOne({ split: { runId, part: 'test' } });
    expect(files(test)).toEqual(['five.png', 'six.png']);
    expect(test.total).toBe(2);
    expect(files(await exportOne({ split: { runId, part: 'test' }, labeledOnly: true }))).toEqual(['five.png']);

    const bad = await source.dispatch('exports.labels', { format: 'csv', classOf: { targetId: font.id, classId: 99_999 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request', issues: [{ path: 'classOf.classId' }] } });
    const noSplit = store.runs.create('never started', {}, 1);
    const refused = await source.dispatch('exports.labels', { format: 'csv', split: { runId: noSplit, part: 'test' } });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/has no stored split/) } });
  });
});
