/** Walks a labels export page by page (exports.labels), the same way for the CLI and the renderer. */
import type { RequestOf } from './requests.js';
import type { LabelExportPage } from './responses.js';
import type { PolyheadApi } from './services.js';

export type LabelExportRequest = Omit<RequestOf<'exports', 'labels'>, 'after'>;

/**
 * Calls exports.labels until the last page, handing each page's text (the CSV header comes with
 * the first) to `onPage` with the rows done so far and the total. Later pages ask for the
 * targets the first page answered, so every row has the same columns.
 */
export async function eachLabelPage(
  api: PolyheadApi,
  request: LabelExportRequest,
  onPage: (page: LabelExportPage, done: number, total: number) => Promise<void> | void,
): Promise<{ rows: number; columns: string[] }> {
  let after = 0;
  let done = 0;
  let total = 0;
  let targetIds = request.targetIds;
  for (;;) {
    const page = await api.exports.labels({ ...request, targetIds, after });
    if (page.total !== null) total = page.total;
    targetIds = page.targetIds;
    done += page.rows;
    await onPage(page, done, total);
    if (page.next === null) return { rows: done, columns: page.columns };
    after = page.next;
  }
}
