/**
 * The desktop shell's security rules as plain functions (no Electron import), so they are
 * unit-tested in Node: which origin is ours, which senders may call the API, the window's
 * web preferences.
 */
import type { ApiResult } from '../../shared/api/contract.js';
import type { Dispatch } from '../services/index.js';

export const APP_SCHEME = 'polyhead';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** True for URLs of the app's own origin (the renderer served by the custom protocol). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}

export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: false;
}

export function secureWebPreferences(preload: string): SecureWebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * The IPC entry point: refuses any sender frame that is not the app's own page, then hands
 * the call to the dispatcher (which validates method and payload against the contract).
 */
export function createIpcInvokeHandler(dispatch: Dispatch) {
  return async (senderUrl: string | undefined, method: unknown, payload: unknown): Promise<ApiResult<unknown>> => {
    if (!isAppUrl(senderUrl)) {
      return { ok: false, error: { code: 'invalid_request', message: `IPC from an untrusted frame (${senderUrl ?? 'unknown'}) was refused` } };
    }
    if (typeof method !== 'string') {
      return { ok: false, error: { code: 'unknown_method', message: 'The method name must be a string' } };
    }
    return dispatch(method, payload);
  };
}
