/** The training renderer page's script (bundled for the browser): serve the port the host sends. */
import { listenForPort } from './page-worker.js';

listenForPort(globalThis as unknown as Parameters<typeof listenForPort>[0]);
