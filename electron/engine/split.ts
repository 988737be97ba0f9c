/**
 * How a run's labelled examples are split into train, validation and test, and what the split
 * was, in words the Evaluate view shows. A random split is stratified by the first head's
 * label (data.ts); a grouped split keeps every group — a source folder, an import, or a value
 * of a target such as a page or a writer — on one side, so no source is both learned from and
 * tested on; an explicit split takes as test set the images with a given value of a target.
 */
import type { ModelSpec } from '../../shared/model-spec.js';
import type { SplitDescription } from '../../shared/evaluation.js';
import { splitExamples, type Example, type Split } from './data.js';
import type { ResolvedHead } from './heads.js';
import type { SourceTable } from './image-sources.js';
import type { LabelTable } from './labels.js';
import { permutation } from './sampling.js';

type GroupBy = NonNullable<ModelSpec['training']['split']['groupBy']>;

/** The group of an image: its folder, its import, or its value of a target (an image without one is a group of its own). */
function groupKey(by: GroupBy, imageId: number, sources: SourceTable, labels: LabelTable): string {
  if (by === 'folder') return sources.folder(imageId);
  if (by === 'import') return `import ${sources.importOf(imageId) ?? '?'}`;
  const value = labels.value(imageId, by.target);
  return typeof value === 'string' ? `${by.target}=${value}` : `image ${imageId}`;
}

const describeGroupBy = (by: GroupBy) => (typeof by === 'string' ? by : `target ${by.target}`);

/** Whole groups, in a seeded random order, fill test then validation up to their shares; the rest train. */
function groupedSplit(examples: Example[], keyOf: (e: Example) => string, shares: { validation: number; test: number }, seed: number) {
  const groups = new Map<string, Example[]>();
  for (const e of examples) {
    const key = keyOf(e);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(e);
  }
  const keys = [...groups.keys()].sort();
  const order = permutation(keys.length, seed * 31 + 7);
  const split: Split = { train: [], validation: [], test: [] };
  const counts = { train: 0, validation: 0, test: 0 };
  const wantTest = Math.round(examples.length * shares.test);
  const wantVal = Math.round(examples.length * shares.validation);
  for (const i of order) {
    const group = groups.get(keys[i]!)!;
    const side = split.test.length < wantTest ? 'test' : split.validation.length < wantVal ? 'validation' : 'train';
    // One by one: spreading a group of 100,000+ examples into push's arguments overflows the stack.
    for (const e of group) split[side].push(e);
    counts[side]++;
  }
  return { split, groups: counts };
}

/**
 * The heads' targets whose label each source folder decides (every folder holds a single class
 * of it, over more than one class): there the folders are the classes (labels from folder
 * names), so grouping by folder would put whole classes on one side of the split.
 */
function folderClassTargets(heads: ResolvedHead[], examples: Example[], labels: LabelTable, sources: SourceTable): string[] {
  const names = [...new Set(heads.flatMap((h) => (h.spec.target.kind === 'target' ? [h.spec.target.target] : [])))];
  return names.filter((target) => {
    const classOf = new Map<number, string>();
    for (const e of examples) {
      const value = labels.value(e.imageIds[0]!, target);
      if (typeof value !== 'string') continue;
      const folder = sources.folderCode(e.imageIds[0]!);
      const seen = classOf.get(folder);
      if (seen === undefined) classOf.set(folder, value);
      else if (seen !== value) return false;
    }
    return classOf.size > 1 && new Set(classOf.values()).size > 1;
  });
}

export function splitRun(
  spec: ModelSpec,
  heads: ResolvedHead[],
  examples: Example[],
  labels: LabelTable,
  sources: SourceTable,
): { split: Split; description: SplitDescription } {
  const t = spec.training;
  const { groupBy, testWhere } = t.split;
  const first = (e: Example) => e.imageIds[0]!;
  let split: Split;
  let description: SplitDescription;
  if (testWhere) {
    const isTest = (e: Example) => labels.value(first(e), testWhere.target) === testWhere.value;
    const rest = examples.filter((e) => !isTest(e));
    const validationShare = t.validation / Math.max(1e-9, 1 - t.test);
    const inner = groupBy
      ? groupedSplit(rest, (e) => groupKey(groupBy, first(e), sources, labels), { validation: validationShare, test: 0 }, t.seed).split
      : splitExamples({ ...spec, training: { ...t, validation: validationShare, test: 0 } }, heads, rest, labels);
    split = { train: inner.train, validation: inner.validation, test: examples.filter(isTest) };
    description = { kind: 'explicit', testWhere, ...(groupBy ? { groupBy: describeGroupBy(groupBy) } : {}) };
  } else if (groupBy) {
    const grouped = groupedSplit(examples, (e) => groupKey(groupBy, first(e), sources, labels), t, t.seed);
    split = grouped.split;
    description = { kind: 'grouped', groupBy: describeGroupBy(groupBy), groups: grouped.groups };
  } else {
    split = splitExamples(spec, heads, examples, labels);
    description = { kind: 'random' };
  }
  // Whatever the split, say how many source folders it puts on both sides of the test line.
  const folders = (...lists: Example[][]) => {
    const codes = new Set<number>();
    for (const list of lists) for (let i = 0; i < list.length; i++) codes.add(sources.folderCode(first(list[i]!)));
    return codes;
  };
  const learned = folders(split.train, split.validation);
  const tested = folders(split.test);
  description.sharedFolders = { shared: [...tested].filter((f) => learned.has(f)).length, folders: new Set([...learned, ...tested]).size };
  const classTargets = folderClassTargets(heads, examples, labels, sources);
  if (classTargets.length > 0) description.sharedFolders.classesOf = classTargets;
  return { split, description };
}
