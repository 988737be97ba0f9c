/** How the API reports a failure, on every transport. */

/**
 * 'unauthorized': no valid token (server mode); 'forbidden': the token's role may not do this,
 * a path outside the server's import roots, or a read-only server. 'internal': the server
 * failed while handling the call. 'unreachable': no answer from the server at all (the
 * browser's own code, never sent by the server): the only failure worth sending again.
 */
export type ErrorCode = 'invalid_request' | 'unauthorized' | 'forbidden' | 'unknown_method' | 'not_found' | 'conflict' | 'internal' | 'unreachable';

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** For invalid requests: each bad field's path ("label.kind") and what is wrong. */
  issues?: { path: string; message: string }[];
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiErrorBody };

/** HTTP status for an error code (server mode). */
export const httpStatusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  internal: 500,
  unreachable: 503,
};
