import type { MethodName, ParsedRequestOf, PolyheadApi, ServiceName } from '../../shared/api/contract.js';
import type { Caller } from './caller.js';

export type ResponseOf<S extends ServiceName, M extends MethodName<S>> = M extends keyof PolyheadApi[S]
  ? PolyheadApi[S][M] extends (...args: never[]) => Promise<infer R>
    ? R
    : never
  : never;

/** What the main process implements: each method receives its request already parsed by the contract's schema, and who calls. */
export type ServiceImpl = {
  [S in ServiceName]: { [M in MethodName<S>]: (req: ParsedRequestOf<S, M>, caller: Caller) => Promise<ResponseOf<S, M>> };
};
