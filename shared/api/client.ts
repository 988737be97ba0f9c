/** Method names and a client for the whole API built from one transport function. */
import type { PolyheadApi } from './services.js';
import { requests, type QualifiedMethod, type ServiceName } from './requests.js';

/** Every "service.method" of the contract, in declaration order. */
export const methodNames: QualifiedMethod[] = Object.entries(requests).flatMap(([service, methods]) =>
  Object.keys(methods).map((method) => `${service}.${method}` as QualifiedMethod),
);

export function splitMethod(method: string): [ServiceName, string] | null {
  const [service, fn, ...rest] = method.split('.');
  if (!service || !fn || rest.length > 0 || !Object.hasOwn(requests, service)) return null;
  if (!Object.hasOwn(requests[service as ServiceName], fn)) return null;
  return [service as ServiceName, fn];
}

/** Builds a client for the whole API from one transport function. */
export function buildClient(invoke: (method: QualifiedMethod, payload: unknown) => Promise<unknown>): PolyheadApi {
  const api: Record<string, Record<string, (req: unknown) => Promise<unknown>>> = {};
  for (const [service, methods] of Object.entries(requests)) {
    const facade: Record<string, (req: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(methods)) {
      facade[method] = (req: unknown) => invoke(`${service}.${method}` as QualifiedMethod, req ?? {});
    }
    api[service] = facade;
  }
  return api as unknown as PolyheadApi;
}
