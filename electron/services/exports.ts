import type { ServiceContext } from './context.js';
import { exportDataset } from './export-dataset.js';
import { exportLabelsPage } from './export-labels.js';
import type { ServiceImpl } from './types.js';

/** Labels out (a page at a time, for a file or a download) and datasets for training elsewhere. */
export function exportsService(context: ServiceContext): ServiceImpl['exports'] {
  return {
    labels: async (req) => exportLabelsPage(context.store, req),
    dataset: async (req) => exportDataset(context, req),
  };
}
