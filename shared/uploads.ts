/**
 * Files uploaded from a browser into the project (server mode, where the server's disk may be
 * another machine's): where each file goes and the limits, the same for the server that stores
 * them and the page that sends them.
 */

/** One file: image crops are small, but IDX archives and label files may be large. */
export const UPLOAD_MAX_FILE_BYTES = 1024 * 1024 * 1024;
/** Files in one upload (a folder of crops with its label files). */
export const UPLOAD_MAX_FILES = 200_000;
/** Folders deep below the upload's root. */
export const UPLOAD_MAX_DEPTH = 32;

/** The URL a file of an upload is PUT to, relative to the app: its path inside the upload goes in the query. */
export function uploadFileUrl(uploadId: string, relativePath: string): string {
  return `api/uploads/${encodeURIComponent(uploadId)}?path=${encodeURIComponent(relativePath)}`;
}

/**
 * What an uploaded image keeps as its original path: the marker and the file's path inside the
 * upload as the browser sent it (folders kept, names made safe). The server's own copy is a
 * temporary file, removed once imported, so it is never recorded.
 */
export const UPLOADED_PREFIX = 'upload:';

export function uploadedPath(relativePath: string): string {
  return `${UPLOADED_PREFIX}${relativePath.replaceAll('\\', '/')}`;
}

/** The path inside its upload of an image that was uploaded through a browser; null for any other original path. */
export function uploadedName(originalPath: string | null): string | null {
  return originalPath?.startsWith(UPLOADED_PREFIX) ? originalPath.slice(UPLOADED_PREFIX.length) : null;
}
