/** Paths the renderer uses for image bytes, the same in Electron and in a browser. */
export const mediaPath = {
  thumb: (imageId: number) => `media/thumb/${imageId}`,
  image: (imageId: number) => `media/image/${imageId}`,
};
