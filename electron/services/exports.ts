import { shownPath } from './caller.js';
import type { ServiceContext } from './context.js';
import { exportDataset } from './export-dataset.js';
import { exportDir } from './export-dir.js';
import { exportLabelsPage } from './export-labels.js';
import type { ServiceImpl } from './types.js';

/** Labels out (a page at a time, for a file or a download) and datasets for training elsewhere. */
export function exportsService(context: ServiceContext): ServiceImpl['exports'] {
  return {
    labels: async (req) => exportLabelsPage(context.store, req),
    dataset: async (req, caller) => {
      const { dataDir } = context.project;
      const result = await exportDataset(context, { ...req, out: await exportDir(req.out, caller, dataDir, 'exports.dataset') });
      return { ...result, dir: shownPath(result.dir, caller, dataDir) };
    },
  };
}
