import type { z } from 'zod';
import { requests, splitMethod, type ApiErrorBody, type ApiResult } from '../../shared/api/contract.js';
import { DomainError } from '../../shared/errors.js';
import { errorBodyOf } from './api-error.js';
import type { ServiceImpl } from './types.js';

export type Dispatch = (method: string, payload: unknown) => Promise<ApiResult<unknown>>;

function issuesOf(error: z.ZodError): NonNullable<ApiErrorBody['issues']> {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(request)',
    message: issue.message,
  }));
}

/**
 * The one entry point both transports use: validate the method name and the payload
 * against the contract, call the service, and turn every failure into a structured
 * error. Never throws.
 */
export function createDispatcher(services: ServiceImpl, log: (error: unknown) => void = console.error): Dispatch {
  return async (method, payload) => {
    const parts = typeof method === 'string' ? splitMethod(method) : null;
    if (!parts) return { ok: false, error: { code: 'unknown_method', message: `Unknown API method '${String(method)}'` } };
    const [service, fn] = parts;
    const schema = (requests[service] as Record<string, z.ZodType>)[fn]!;
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid_request', message: `Invalid request for ${method}: ${summary}`, issues } };
    }
    try {
      const handler = (services[service] as Record<string, (req: unknown) => Promise<unknown>>)[fn]!;
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof DomainError) return { ok: false, error: errorBodyOf(error) };
      log(error);
      return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
