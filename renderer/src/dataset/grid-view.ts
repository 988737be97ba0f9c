/**
 * What the Dataset grid shows: its filters and sort order as one flat value, the API filter it
 * stands for, and its text form in the URL (`#/dataset?name=hn-00*&status=pending&sort=name`),
 * so reload, Back and Forward return to the same view and a view can be shared. Pure.
 */
import type { ImageFilter } from '../../../shared/api/contract.js';
import { imageFilterSchema, imageOrders, labelSources, sourceHasConfidence, type ImageOrder } from '../../../shared/image-filter.js';

export const STATUSES = ['any', 'pending', 'untouched', 'complete'] as const;
export const STATES = ['pending', 'unknown', 'value', 'answered'] as const;
export const SOURCES = labelSources;
export type Status = (typeof STATUSES)[number];
export type TargetState = (typeof STATES)[number];
export type Source = (typeof SOURCES)[number];

export interface GridView {
  status: Status;
  /** A part of the file name, or a glob (`*`, `?`, `[…]`); '' for any. */
  name: string;
  /** The target the next fields narrow; null for none. */
  targetId: number | null;
  state: TargetState | null;
  classId: number | null;
  source: Source;
  /** Confidence bounds in 0..1 (model predictions, accepted suggestions); null for open. */
  minConfidence: number | null;
  maxConfidence: number | null;
  order: ImageOrder;
  reverse: boolean;
}

export const DEFAULT_VIEW: GridView = {
  status: 'any',
  name: '',
  targetId: null,
  state: null,
  classId: null,
  source: 'human',
  minConfidence: null,
  maxConfidence: null,
  order: 'id',
  reverse: false,
};

/** Confidence bounds and the confidence order only mean something for model-made labels. */
export const hasConfidence = (view: GridView) => view.targetId !== null && sourceHasConfidence(view.source);

/** The view made consistent: what cannot apply is dropped rather than sent and refused. */
export function normalizeView(view: GridView): GridView {
  const v = { ...view };
  if (v.targetId === null) Object.assign(v, { state: null, classId: null, source: 'human', minConfidence: null, maxConfidence: null });
  if (!hasConfidence(v)) Object.assign(v, { minConfidence: null, maxConfidence: null });
  if (v.order === 'confidence' && !hasConfidence(v)) v.order = 'id';
  return v;
}

/** The API filter the view stands for (images.list, and bulk edits over "all in this filter"). */
export function toImageFilter(view: GridView): ImageFilter {
  const v = normalizeView(view);
  const filter: ImageFilter = { status: v.status, order: v.order };
  if (v.reverse) filter.reverse = true;
  if (v.name.trim() !== '') filter.name = v.name.trim();
  if (v.targetId !== null) {
    filter.target = { targetId: v.targetId, source: v.source };
    if (v.state !== null) filter.target.state = v.state;
    if (v.classId !== null) filter.target.classId = v.classId;
    if (v.minConfidence !== null) filter.target.minConfidence = v.minConfidence;
    if (v.maxConfidence !== null) filter.target.maxConfidence = v.maxConfidence;
  }
  return filter;
}

type Query = Record<string, string | null | (string | null)[] | undefined>;

const one = (q: Query, key: string): string | undefined => {
  const v = q[key];
  return (Array.isArray(v) ? v[0] : v) ?? undefined;
};
const pick = <T extends string>(allowed: readonly T[], s: string | undefined): T | undefined =>
  s !== undefined && (allowed as readonly string[]).includes(s) ? (s as T) : undefined;
const id = (s: string | undefined) => (s !== undefined && /^[1-9]\d{0,9}$/.test(s) ? Number(s) : null);
const fraction = (s: string | undefined) => {
  if (s === undefined || !/^(0(\.\d+)?|1(\.0+)?)$/.test(s)) return null;
  return Number(s);
};

/** The URL query of a view: only what differs from the default, so a plain grid has a plain URL. */
export function viewToQuery(view: GridView): Record<string, string> {
  const v = normalizeView(view);
  const q: Record<string, string> = {};
  if (v.status !== 'any') q.status = v.status;
  if (v.name.trim() !== '') q.name = v.name.trim();
  if (v.targetId !== null) q.target = String(v.targetId);
  if (v.state !== null) q.state = v.state;
  if (v.classId !== null) q.class = String(v.classId);
  if (v.source !== 'human') q.source = v.source;
  if (v.minConfidence !== null) q.min = String(v.minConfidence);
  if (v.maxConfidence !== null) q.max = String(v.maxConfidence);
  if (v.order !== 'id') q.sort = v.order;
  if (v.reverse) q.reverse = '1';
  return q;
}

/** The view a URL query names; anything malformed falls back to its default, never to an error. */
export function queryToView(query: Query): GridView {
  const view: GridView = {
    status: pick(STATUSES, one(query, 'status')) ?? 'any',
    name: (one(query, 'name') ?? '').slice(0, 256),
    targetId: id(one(query, 'target')),
    state: pick(STATES, one(query, 'state')) ?? null,
    classId: id(one(query, 'class')),
    source: pick(SOURCES, one(query, 'source')) ?? 'human',
    minConfidence: fraction(one(query, 'min')),
    maxConfidence: fraction(one(query, 'max')),
    order: pick(imageOrders, one(query, 'sort')) ?? 'id',
    reverse: one(query, 'reverse') === '1',
  };
  const normalized = normalizeView(view);
  // The same check the API makes: a view it would refuse is not shown half-applied.
  return imageFilterSchema.safeParse(toImageFilter(normalized)).success ? normalized : { ...DEFAULT_VIEW };
}

export const sameView = (a: GridView, b: GridView) => JSON.stringify(normalizeView(a)) === JSON.stringify(normalizeView(b));
