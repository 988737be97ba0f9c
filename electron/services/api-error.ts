import type { ApiErrorBody, ErrorCode } from '../../shared/api/contract.js';
import type { DomainError, DomainErrorKind } from '../../shared/errors.js';

const codeOf: Record<DomainErrorKind, ErrorCode> = {
  not_found: 'not_found',
  conflict: 'conflict',
  invalid_value: 'invalid_request',
  forbidden: 'forbidden',
};

/** A domain error as the API reports it: the layers below speak in domain terms, the wire in error codes. */
export function errorBodyOf(error: DomainError): ApiErrorBody {
  const body: ApiErrorBody = { code: codeOf[error.kind], message: error.message };
  return error.issues ? { ...body, issues: error.issues } : body;
}
