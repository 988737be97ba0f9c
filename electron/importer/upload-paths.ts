/**
 * What an import of a browser upload records (server mode): the upload's folder is a temporary
 * copy, removed once imported, so every path that names it is recorded by its place in the
 * upload instead (`upload:crops/a.png`, shared/uploads.ts): the images' original paths, the
 * batch's sources, the job's paths and the summary's items and reasons.
 */
import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import { UPLOADED_PREFIX, uploadedPath } from '../../shared/uploads.js';

/** A path as recorded: itself, or (uploadDir given) its place in the upload. */
export function recordedPath(uploadDir: string | undefined): (file: string) => string {
  if (uploadDir === undefined) return (file) => file;
  return (file) => uploadedPath(path.relative(uploadDir, file));
}

/** The summary with every mention of the upload's folder (in an item or a reason) written as its place in the upload. */
export function recordSummaryOfUpload(summary: ImportSummary, uploadDir: string): void {
  const text = (s: string) => s.split(`${uploadDir}${path.sep}`).join(UPLOADED_PREFIX);
  summary.rejected = summary.rejected.map((r) => ({ item: text(r.item), reason: text(r.reason) }));
  summary.ignored = summary.ignored.map(text);
  summary.labelProblems = summary.labelProblems.map((r) => ({ item: text(r.item), reason: text(r.reason) }));
  summary.duplicateItems = summary.duplicateItems.map((d) => ({ ...d, item: text(d.item), of: text(d.of) }));
}
