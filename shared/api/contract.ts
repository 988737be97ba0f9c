/**
 * The one API contract of Polyhead. Every service is an interface, every request a
 * zod schema, every response a type. The same contract is served over Electron IPC
 * (preload façade) and over the local HTTP/WebSocket server; the renderer's `api`
 * module builds its client from it. Runtime-neutral: imports only zod.
 *
 * This module gathers the pieces, each in its own file: requests (schemas), responses,
 * services (interfaces), events, errors (wire format), client, media paths; and the
 * types the store shares with the wire, which live below the contract in shared/.
 */
export * from '../image-filter.js';
export * from '../imports.js';
export * from '../roles.js';
export * from '../runs.js';
export * from './client.js';
export * from './errors.js';
export * from './events.js';
export * from './media.js';
export * from './permissions.js';
export * from './requests.js';
export * from './responses.js';
export * from './services.js';
export * from './target-responses.js';
