import type { ApiErrorBody, ErrorCode } from '../shared/api/contract.js';

/** An error a service raises on purpose; it reaches the caller as a structured error. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} does not exist`);
export const conflict = (message: string) => new ApiError('conflict', message);
/** A request that passed the schema but names something invalid for this project (a class that is not a class, say). */
export const invalidField = (path: string, message: string) =>
  new ApiError('invalid_request', `${path}: ${message}`, [{ path, message }]);
