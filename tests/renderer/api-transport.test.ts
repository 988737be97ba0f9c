import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError, api, isTransportFailure } from '../../renderer/src/api';

/** What a call fails with when fetch answers (or throws) as given. */
async function failureOf(answer: () => Promise<Response>): Promise<Error> {
  vi.stubGlobal('fetch', vi.fn(answer));
  try {
    await api.project.info({});
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call did not fail');
}

// The labeler sends a write again only on a transport failure: a server that failed on the call
// answered, and resent forever that write would hold every later one behind it.
describe('which failures are worth sending again', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('no answer at all, or a proxy 5xx without the API body: yes', async () => {
    const down = await failureOf(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(down).toBeInstanceOf(ApiCallError);
    expect(isTransportFailure(down)).toBe(true);
    expect(isTransportFailure(await failureOf(async () => new Response('<html>Bad Gateway</html>', { status: 502 })))).toBe(true);
  });

  it('an error the server answered, its own 500 included: no', async () => {
    const json = (status: number, code: string) => async () =>
      new Response(JSON.stringify({ ok: false, error: { code, message: 'no' } }), { status, headers: { 'content-type': 'application/json' } });
    expect(isTransportFailure(await failureOf(json(500, 'internal')))).toBe(false);
    expect(isTransportFailure(await failureOf(json(409, 'conflict')))).toBe(false);
    expect(isTransportFailure(await failureOf(async () => new Response('nope', { status: 404 })))).toBe(false);
  });
});
