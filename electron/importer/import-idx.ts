import path from 'node:path';
import type { ImportSummary } from '../../shared/imports.js';
import type { Store } from '../store/store.js';
import { encodeGray } from './decode.js';
import { readIdxImages, readIdxLabels, type IdxImages } from './idx.js';
import { storedDuplicate, type ImportItem } from './import-items.js';
import type { LabelRecord } from './labels.js';
import type { IdxPair } from './scan.js';

/**
 * One item per digit of each IDX pair, named 'file#00042' and labelled for the 'digits'
 * target from the labels file. A pair that cannot be read is rejected whole, by name.
 */
export async function idxItems(pairs: IdxPair[], store: Store, summary: ImportSummary): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  for (const pair of pairs) {
    const base = path.basename(pair.images);
    let images: IdxImages;
    let labels: Uint8Array | null = null;
    try {
      images = await readIdxImages(pair.images);
      if (pair.labels) labels = await readIdxLabels(pair.labels);
      if (labels && labels.length !== images.count) {
        throw new Error(`${path.basename(pair.labels!)} has ${labels.length} labels for ${images.count} images`);
      }
    } catch (error) {
      summary.rejected.push({ item: base, reason: (error as Error).message });
      continue;
    }
    for (let i = 0; i < images.count; i++) {
      const label = labels?.[i];
      if (label !== undefined && label > 9) {
        // An IDX digit label is one of 0..9; anything else is a broken file, not a class to invent.
        summary.labelProblems.push({ item: itemName(base, i), reason: `IDX label ${label} is outside 0–9; the image was imported without a digits label` });
      }
      items.push(digitItem(store, base, images, label !== undefined && label <= 9 ? label : null, i));
    }
  }
  return items;
}

function itemName(base: string, i: number): string {
  return `${base}#${String(i).padStart(5, '0')}`;
}

function digitItem(store: Store, base: string, images: IdxImages, label: number | null, i: number): ImportItem {
  const { rows, cols, pixels } = images;
  const name = itemName(base, i);
  const digit = label === null ? null : String(label);
  const record: LabelRecord | null = digit === null ? null : { origin: name, values: new Map([['digits', digit]]) };
  return {
    name,
    load: async () => {
      const decoded = await encodeGray(pixels.subarray(i * rows * cols, (i + 1) * rows * cols), cols, rows);
      const duplicate = storedDuplicate(store, decoded.sha256);
      if (duplicate !== null) return { duplicate, labels: record };
      return { decoded, originalPath: null, labels: record };
    },
  };
}
