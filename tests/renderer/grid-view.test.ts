import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../../shared/api/contract.js';
import { imageFilterSchema } from '../../shared/image-filter.js';
import type { TargetDef } from '../../shared/targets.js';
import { DEFAULT_VIEW, queryToView, toImageFilter, viewToQuery, type GridView } from '../../renderer/src/dataset/grid-view';
import { badgesOf, labelMix, mixGradient, mixText } from '../../renderer/src/dataset/tile-labels';
import { fromDroppedEntries, fromFileList, type Entry } from '../../renderer/src/uploads/collect';

const view = (v: Partial<GridView>): GridView => ({ ...DEFAULT_VIEW, ...v });

describe('the grid view in the URL', () => {
  it('a plain grid has a plain URL; every field round-trips', () => {
    expect(viewToQuery(DEFAULT_VIEW)).toEqual({});
    const full = view({
      status: 'pending',
      name: 'hn-00*.png',
      targetId: 3,
      state: 'value',
      classId: 7,
      source: 'model',
      minConfidence: 0.2,
      maxConfidence: 0.85,
      order: 'confidence',
      reverse: true,
    });
    const query = viewToQuery(full);
    expect(query).toEqual({
      status: 'pending',
      name: 'hn-00*.png',
      target: '3',
      state: 'value',
      class: '7',
      source: 'model',
      min: '0.2',
      max: '0.85',
      sort: 'confidence',
      reverse: '1',
    });
    expect(queryToView(query)).toEqual(full);
  });

  it('the API filter is what the API accepts, and what cannot apply is dropped, not sent', () => {
    const f = toImageFilter(view({ name: ' a?.png ', order: 'name', reverse: true }));
    expect(f).toEqual({ status: 'any', order: 'name', reverse: true, name: 'a?.png' });
    expect(imageFilterSchema.safeParse(f).success).toBe(true);
    // Confidence needs a target's model labels: without them the order and bounds go.
    expect(toImageFilter(view({ order: 'confidence', minConfidence: 0.5 }))).toEqual({ status: 'any', order: 'id' });
    expect(toImageFilter(view({ targetId: 2, source: 'human', order: 'confidence', maxConfidence: 0.5 }))).toEqual({
      status: 'any',
      order: 'id',
      target: { targetId: 2, source: 'human' },
    });
    const accepted = toImageFilter(view({ targetId: 2, source: 'accepted', order: 'confidence', maxConfidence: 0.5 }));
    expect(imageFilterSchema.safeParse(accepted).success).toBe(true);
    // Imported labels are human labels from elsewhere: no confidence to order or bound by.
    const imported = view({ targetId: 2, source: 'imported', order: 'confidence', maxConfidence: 0.5 });
    expect(toImageFilter(imported)).toEqual({ status: 'any', order: 'id', target: { targetId: 2, source: 'imported' } });
    expect(viewToQuery(imported)).toEqual({ target: '2', source: 'imported' });
    expect(queryToView({ target: '2', source: 'imported' })).toEqual(view({ targetId: 2, source: 'imported' }));
  });

  it('a malformed query falls back to defaults field by field, never to an error', () => {
    expect(queryToView({ status: 'weird', sort: 'size', target: '-1', class: 'x', min: '2', reverse: 'yes' })).toEqual(DEFAULT_VIEW);
    expect(queryToView({ sort: ['name', 'id'], name: 'abc' })).toEqual(view({ order: 'name', name: 'abc' }));
    expect(queryToView({ state: 'value' })).toEqual(DEFAULT_VIEW); // a state without a target means nothing
  });
});

const targets: TargetDef[] = [
  { id: 1, name: 'digits', kind: 'sequence', alphabet: '0123456789', maxLength: 5, sourceTargetId: null, position: 0, hotkey: null, classes: [] },
  { id: 3, name: 'font_style', kind: 'categorical', alphabet: null, maxLength: null, sourceTargetId: null, position: 2, hotkey: null, classes: [] },
  { id: 4, name: 'script', kind: 'categorical', alphabet: null, maxLength: null, sourceTargetId: null, position: 3, hotkey: null, classes: [] },
];
const tile = (labels: ImageSummary['labels'], targetCount = 4): ImageSummary => ({
  id: 1,
  width: 10,
  height: 10,
  originalName: 'a.png',
  answered: Object.keys(labels).length,
  targetCount,
  labels,
});

describe("a tile's labels", () => {
  it('shows each categorical label as a badge: the value, unknown as ?, an accepted one with its run', () => {
    const badges = badgesOf(
      tile({
        1: { state: 'value', value: '42', origin: 'typed', runId: null, confidence: null },
        3: { state: 'unknown', value: null, origin: 'typed', runId: null, confidence: null },
        4: { state: 'value', value: 'greek', origin: 'accepted', runId: 5, confidence: 0.912 },
      }),
      targets,
    );
    expect(badges.map((b) => [b.text, b.title, b.unknown, b.accepted, b.imported])).toEqual([
      ['?', 'font_style: unknown', true, false, false],
      ['greek', 'script: greek, accepted from run 5 at 91%', false, true, false],
    ]);
    const imported = badgesOf(tile({ 3: { state: 'value', value: 'serif', origin: 'imported', runId: null, confidence: null } }), targets);
    expect(imported.map((b) => [b.title, b.accepted, b.imported])).toEqual([['font_style: serif, imported', false, true]]);
    // The same class has the same colour on every tile.
    const again = badgesOf(tile({ 4: { state: 'value', value: 'greek', origin: 'typed', runId: null, confidence: null } }), targets);
    expect(again[0]!.hue).toBe(badges[1]!.hue);
  });

  it('the dot is a pie of the targets in the legend colours, and says so', () => {
    const mix = labelMix(
      tile({
        1: { state: 'value', value: '42', origin: 'typed', runId: null, confidence: null },
        3: { state: 'unknown', value: null, origin: 'typed', runId: null, confidence: null },
      }),
    );
    expect(mix).toEqual({ labeled: 1, unknown: 1, pending: 2 });
    expect(mixText(mix)).toBe('1 labeled, 1 unknown, 2 not looked at');
    expect(mixGradient(mix)).toBe('conic-gradient(var(--state-labeled) 0 25%, var(--state-unknown) 25% 50%, var(--state-pending) 50% 100%)');
    expect(mixGradient(labelMix(tile({})))).toContain('var(--state-pending) 0% 100%');
  });
});

describe('files for an upload', () => {
  const file = (name: string, relative = '') => Object.assign(new File(['x'], name), relative ? { webkitRelativePath: relative } : {});

  it('a chosen folder keeps its relative paths; loose files their names', () => {
    const picked = [file('a.png', 'crops/a.png'), file('labels.csv', 'crops/labels.csv')];
    expect(fromFileList(picked).map((i) => i.path)).toEqual(['crops/a.png', 'crops/labels.csv']);
    expect(fromFileList([file('b.png')]).map((i) => i.path)).toEqual(['b.png']);
  });

  it('a dropped folder is walked to every file (in batches, as Chromium hands them over); an unreadable one is named, the rest go on', async () => {
    const fileEntry = (fullPath: string, readable = true): Entry & { file: (ok: (f: File) => void, fail: (e: unknown) => void) => void } => ({
      isFile: true,
      isDirectory: false,
      name: fullPath.split('/').pop()!,
      fullPath,
      file: (ok, fail) => (readable ? ok(new File(['x'], fullPath.split('/').pop()!)) : fail(new DOMException('denied', 'NotReadableError'))),
    });
    const dirEntry = (fullPath: string, batches: Entry[][]) => ({
      isFile: false,
      isDirectory: true,
      name: fullPath.split('/').pop()!,
      fullPath,
      createReader: () => {
        let i = 0;
        return { readEntries: (ok: (e: Entry[]) => void) => ok(batches[i++] ?? []) };
      },
    });
    const sub = dirEntry('/crops/sub', [[fileEntry('/crops/sub/c.png')]]);
    const crops = dirEntry('/crops', [
      [fileEntry('/crops/a.png'), fileEntry('/crops/locked.png', false)],
      [fileEntry('/crops/labels.csv'), sub],
    ]);
    const plain = new File(['x'], 'no-entry.png');
    const { items, problems } = await fromDroppedEntries([
      { entry: crops, file: null },
      { entry: fileEntry('/loose.png'), file: null },
      { entry: null, file: plain },
    ]);
    expect(items.map((i) => i.path)).toEqual(['crops/a.png', 'crops/labels.csv', 'crops/sub/c.png', 'loose.png', 'no-entry.png']);
    expect(problems).toEqual(['crops/locked.png: cannot be read (NotReadableError)']);
  });
});
