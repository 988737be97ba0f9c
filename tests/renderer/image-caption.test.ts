import { describe, expect, it } from 'vitest';
import { captionOf } from '../../renderer/src/labeling/image-caption';

const image = { id: 7, originalName: 'c0.png', width: 14, height: 8 };

describe("the labeler's image caption", () => {
  it('says an image was uploaded, and where it was in the upload, rather than naming a temporary file', () => {
    expect(captionOf({ ...image, originalPath: 'upload:street crops/c0.png' })).toEqual({
      text: '#7 · c0.png · 14×8 · uploaded',
      title: 'Uploaded through the browser as street crops/c0.png',
    });
    expect(captionOf({ ...image, originalPath: '/data/crops/c0.png' })).toEqual({ text: '#7 · c0.png · 14×8', title: 'Imported from /data/crops/c0.png' });
    expect(captionOf({ ...image, originalPath: null })).toEqual({ text: '#7 · c0.png · 14×8', title: undefined });
  });
});
