/**
 * A CLI command's access to a project: the same services, request validation and event
 * bus as IPC and HTTP (one path per feature), through a typed client over the dispatcher.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildClient, type ApiErrorBody, type EventMessage, type EventName, type PolyheadApi, type PolyheadEvents } from '../../shared/api/contract.js';
import { DB_FILE, type NewProjectOptions } from '../domain/project.js';
import { openRuntime, type Runtime } from '../app/runtime.js';
import { UsageError } from './errors.js';

/** An error the API answered with; the CLI prints its message (and each bad field). */
export class ApiCallError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.issues && body.issues.length > 1 ? `${body.message}\n  ${body.issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}` : body.message);
  }
}

export interface Session {
  runtime: Runtime;
  api: PolyheadApi;
  /** Calls `listener` for every event of that name until the returned function is called. */
  on<E extends EventName>(event: E, listener: (payload: PolyheadEvents[E]) => void): () => void;
}

export function requireData(data: string | undefined): string {
  if (!data) throw new UsageError('--data DIR is required');
  return data;
}

/** Refuses a folder without a project, so a typo'd path says so instead of creating an empty project. */
export function requireProject(dataDir: string | undefined): string {
  const dir = requireData(dataDir);
  if (!existsSync(path.join(dir, DB_FILE))) {
    throw new UsageError(
      `no Polyhead project in ${path.resolve(dir)} (no ${DB_FILE}); check --data, or create one with \`polyhead init --data DIR\` or \`polyhead import\``,
    );
  }
  return dir;
}

/**
 * Opens the project in `dataDir` for one command and always closes it. `existing`: a project
 * that must be there; `read`: the same, opened read-only (reading commands work on a project
 * nobody may write to, and change nothing); `create`: made if missing.
 */
export async function withSession<T>(
  dataDir: string | undefined,
  mode: 'existing' | 'read' | 'create',
  fn: (session: Session) => Promise<T> | T,
  newProject: NewProjectOptions = {},
): Promise<T> {
  const dir = mode === 'create' ? requireData(dataDir) : requireProject(dataDir);
  const runtime = openRuntime(dir, { mode: mode === 'read' ? 'read' : 'write' }, newProject);
  const api = buildClient(async (method, payload) => {
    const result = await runtime.dispatch(method, payload);
    if (!result.ok) throw new ApiCallError(result.error);
    return result.data;
  });
  const on = <E extends EventName>(event: E, listener: (payload: PolyheadEvents[E]) => void) =>
    runtime.events.subscribe((m: EventMessage) => {
      if (m.event === event) listener(m.payload as PolyheadEvents[E]);
    });
  try {
    await runtime.leftovers;
    return await fn({ runtime, api, on });
  } finally {
    runtime.close();
  }
}

/** A progress line on stderr, redrawn in place, only when stderr is a terminal. */
export function progressLine(text: string, final = false): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r${text}${final ? '\n' : ''}`);
}

export function parseRunId(run: string | undefined): number {
  if (!run) throw new UsageError('--run RUN (a run id, see `polyhead runs`) is required');
  const id = Number(run);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`--run must be a run id (a positive integer, see \`polyhead runs\`), got '${run}'`);
  return id;
}

export function parseInteger(value: string, flag: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/**
 * Listens for an event from before the action that causes it starts, so one that arrives
 * before the action has returned its id (a job, a run) is not missed: `until(id)` resolves
 * with the first payload `matches` that id, whether it came before or after.
 */
export function awaitEvent<E extends EventName>(
  session: Session,
  event: E,
  matches: (payload: PolyheadEvents[E], id: string | number) => boolean,
): { until(id: string | number): Promise<PolyheadEvents[E]>; stop(): void } {
  const seen: PolyheadEvents[E][] = [];
  let waiting: { id: string | number; resolve: (payload: PolyheadEvents[E]) => void } | null = null;
  const stop = session.on(event, (payload) => {
    if (waiting && matches(payload, waiting.id)) waiting.resolve(payload);
    else seen.push(payload);
  });
  return {
    until: (id) =>
      new Promise((resolve) => {
        const earlier = seen.find((p) => matches(p, id));
        if (earlier) resolve(earlier);
        else waiting = { id, resolve };
      }).finally(stop) as Promise<PolyheadEvents[E]>,
    stop,
  };
}
