/** The labeler's caption under the image: which image, and where it came from (its tooltip). Pure. */
import type { ImageDetail } from '../../../shared/api/contract.js';
import { uploadedName } from '../../../shared/uploads.js';

export interface ImageCaption {
  text: string;
  /** Where the file came from; undefined for an image without a file of its own (an IDX digit). */
  title: string | undefined;
}

/**
 * An uploaded image says so: the server's copy of the upload was temporary, so only the file's
 * place in the upload is known (not a path on any disk).
 */
export function captionOf(detail: Pick<ImageDetail, 'id' | 'originalName' | 'width' | 'height' | 'originalPath'>): ImageCaption {
  const uploaded = uploadedName(detail.originalPath);
  const text = `#${detail.id} · ${detail.originalName} · ${detail.width}×${detail.height}`;
  if (uploaded !== null) return { text: `${text} · uploaded`, title: `Uploaded through the browser as ${uploaded}` };
  return { text, title: detail.originalPath === null ? undefined : `Imported from ${detail.originalPath}` };
}
