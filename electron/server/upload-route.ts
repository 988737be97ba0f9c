/**
 * PUT /api/uploads/<uploadId>?path=<relative path>: one file of a browser upload, its bytes as
 * the raw body, streamed into the project folder (electron/domain/uploads.ts). The upload is
 * begun with imports.beginUpload and imported with imports.startUpload, both ordinary API
 * methods; only the bytes take this route, since the JSON API caps bodies at 1 MiB.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf, type ApiResult } from '../../shared/api/contract.js';
import { DomainError } from '../../shared/errors.js';
import { UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES } from '../../shared/uploads.js';
import { storeUploadFile, UploadTooLarge } from '../domain/uploads.js';
import { errorBodyOf } from '../services/api-error.js';

export const UPLOAD_ROUTE = '/api/uploads/';

export interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
}

function send(res: ServerResponse, status: number, body: ApiResult<unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The route's handler; files counted per upload while the server runs (the file limit). */
export function createUploadRoute(dataDir: string, limits: UploadLimits = { maxFileBytes: UPLOAD_MAX_FILE_BYTES, maxFiles: UPLOAD_MAX_FILES }) {
  const filesPerUpload = new Map<string, number>();
  return async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const refuse = (status: number, message: string) => {
      // Unread bytes would otherwise stall the connection; the answer goes out first.
      const code = status === 404 ? 'not_found' : status === 409 ? 'conflict' : status >= 500 ? 'internal' : 'invalid_request';
      send(res, status, { ok: false, error: { code, message } });
      req.resume();
    };
    if (req.method !== 'PUT') return refuse(405, 'Upload a file with PUT and its bytes as the body');
    const uploadId = decodeURIComponent(url.pathname.slice(UPLOAD_ROUTE.length));
    const relative = url.searchParams.get('path');
    if (!relative) return refuse(400, 'path: the file name (and folders) inside the upload are missing (?path=…)');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limits.maxFileBytes) return refuse(413, `${relative}: ${declared} bytes, over the upload limit of ${limits.maxFileBytes} bytes per file`);
    const count = (filesPerUpload.get(uploadId) ?? 0) + 1;
    if (count > limits.maxFiles) return refuse(413, `${relative}: over the limit of ${limits.maxFiles} files per upload`);
    filesPerUpload.set(uploadId, count);
    try {
      const stored = await storeUploadFile(dataDir, uploadId, relative, req, limits.maxFileBytes);
      send(res, 200, { ok: true, data: stored });
    } catch (error) {
      filesPerUpload.set(uploadId, (filesPerUpload.get(uploadId) ?? 1) - 1);
      if (error instanceof UploadTooLarge) return refuse(413, error.message);
      if (error instanceof DomainError) {
        const body = errorBodyOf(error);
        return refuse(httpStatusOf[body.code], body.message);
      }
      if (req.destroyed || req.readableAborted) return; // the browser went away mid-file: nothing to answer
      // A fault of the disk (full, a file where a folder should be, no permission): the file
      // is named and the upload goes on with the next one.
      const code = (error as NodeJS.ErrnoException).code;
      const full = code === 'ENOSPC' || code === 'EDQUOT';
      return refuse(full ? 507 : 500, `${relative}: could not be stored (${code ?? (error as Error).message})`);
    }
  };
}
