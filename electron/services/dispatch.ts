import type { z } from 'zod';
import { methodPermissions, requests, splitMethod, type ApiErrorBody, type ApiResult, type QualifiedMethod } from '../../shared/api/contract.js';
import { DomainError } from '../../shared/errors.js';
import { leastRoleFor, roleMay } from '../../shared/roles.js';
import { errorBodyOf } from './api-error.js';
import { localCaller, type Caller } from './caller.js';
import type { ServiceImpl } from './types.js';

/** Calls one API method as `caller` (the dispatcher's local caller when omitted: the desktop app, the CLI). */
export type Dispatch = (method: string, payload: unknown, caller?: Caller) => Promise<ApiResult<unknown>>;

/** One change (or refused attempt) for the audit log. */
export interface AuditEntry {
  user: string;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  detail: unknown;
}

export interface DispatcherOptions {
  /** Who calls when the transport names nobody (IPC, the CLI). */
  caller?: Caller;
  /** Records every change made and every change refused (the audit log). */
  audit?: (entry: AuditEntry) => void;
  log?: (error: unknown) => void;
}

function issuesOf(error: z.ZodError): NonNullable<ApiErrorBody['issues']> {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(request)',
    message: issue.message,
  }));
}

/** A request as the audit log keeps it: long lists and deep objects summarised. */
export function summarise(value: unknown, depth = 0): unknown {
  if (Array.isArray(value))
    return value.length > 10
      ? { count: value.length, first: value.slice(0, 5).map((v) => summarise(v, depth + 1)) }
      : value.map((v) => summarise(v, depth + 1));
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return '…';
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarise(v, depth + 1)]));
}

/**
 * SQLite's own refusals as API errors: a constraint another process's change made fail is a
 * conflict (409) with a message saying so, not an internal error.
 */
export function storeErrorBody(error: unknown): ApiErrorBody | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const detail = (error as Error).message;
  if (/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/.test(code)) {
    return { code: 'conflict', message: `It exists already: another user or process has just made it (${detail}). Reload and try again.` };
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return {
      code: 'conflict',
      message: `It refers to something that no longer exists: another user or process has just removed it (${detail}). Reload and try again.`,
    };
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) return { code: 'conflict', message: `The project's current state does not allow this (${detail}).` };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return { code: 'conflict', message: 'The project is busy: another process has held its write lock for over 5 seconds. Try again.' };
  }
  if (code.startsWith('SQLITE_READONLY')) return { code: 'forbidden', message: 'The project is open read-only here: nothing can be changed.' };
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return {
      code: 'internal',
      message: `The project database is damaged (${detail}). Stop the server and run \`polyhead check --data DIR\`; restore a backup to recover.`,
    };
  }
  return null;
}

/**
 * The one entry point every transport uses: validate the method name, check the caller may
 * call it (their role; a read-only server), validate the payload against the contract, call
 * the service, record the change in the audit log, and turn every failure into a structured
 * error. Never throws.
 */
export function createDispatcher(services: ServiceImpl, options: DispatcherOptions = {}): Dispatch {
  const log = options.log ?? console.error;
  const fallback = options.caller ?? localCaller();
  const audit = (entry: AuditEntry) => {
    try {
      options.audit?.(entry);
    } catch (error) {
      log(error);
    }
  };
  return async (method, payload, caller = fallback) => {
    const parts = typeof method === 'string' ? splitMethod(method) : null;
    if (!parts) return { ok: false, error: { code: 'unknown_method', message: `Unknown API method '${String(method)}'` } };
    const [service, fn] = parts;
    const permission = methodPermissions[method as QualifiedMethod];
    const change = permission !== 'read';
    if (change && caller.readOnly) {
      return { ok: false, error: { code: 'forbidden', message: `${method}: this server is read-only (--read-only); nothing can be changed through it` } };
    }
    if (!roleMay(caller.role, permission)) {
      const message = `${method}: ${caller.user} is a ${caller.role}, and this needs the ${leastRoleFor(permission)} role (ask an admin: polyhead users)`;
      audit({ user: caller.user, action: method, outcome: 'denied', detail: { reason: message } });
      return { ok: false, error: { code: 'forbidden', message } };
    }
    const schema = (requests[service] as Record<string, z.ZodType>)[fn]!;
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid_request', message: `Invalid request for ${method}: ${summary}`, issues } };
    }
    try {
      const handler = (services[service] as Record<string, (req: unknown, caller: Caller) => Promise<unknown>>)[fn]!;
      const data = await handler(parsed.data, caller);
      if (change) audit({ user: caller.user, action: method, outcome: 'ok', detail: summarise(parsed.data) });
      return { ok: true, data };
    } catch (error) {
      if (error instanceof DomainError) {
        if (error.kind === 'forbidden') audit({ user: caller.user, action: method, outcome: 'denied', detail: { reason: error.message } });
        return { ok: false, error: errorBodyOf(error) };
      }
      const known = storeErrorBody(error);
      if (known) return { ok: false, error: known };
      log(error);
      return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
