/** `polyhead serve`: the app and its API over HTTP + WebSocket. */
import type { Command } from 'commander';
import { defaultProjectDir } from '../../app/default-project.js';
import { importSampleOnce, openRuntime } from '../../app/runtime.js';
import { rendererDir, sampleDir } from '../../platform/paths.js';
import { startServer } from '../../server/server.js';
import { parseInteger } from '../session.js';
import { UsageError } from '../errors.js';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      "Serve the app and its API on http://HOST:PORT. Without --data, opens the desktop app's default project and imports the bundled sample on its first start (as does --with-sample). The project is created if missing.",
    )
    .option('--data <DIR>', 'the project folder (default: the desktop app’s default project)')
    .option('--host <HOST>', 'the interface to bind', '127.0.0.1')
    .option('--port <N>', 'the port (0: a free one)', '0')
    .option('--with-sample', 'import the bundled sample on the first start')
    .action(async (options: { data?: string; host: string; port: string; withSample?: boolean }) => {
      const port = parseInteger(options.port, '--port');
      if (port > 65535) throw new UsageError(`--port must be 0..65535, got '${options.port}'`);
      const runtime = openRuntime(options.data ?? defaultProjectDir());
      try {
        if (options.withSample || options.data === undefined) {
          if (await importSampleOnce(runtime.project, sampleDir)) console.log(`imported the bundled sample into ${runtime.project.dataDir}`);
        }
        const server = await startServer({ ...runtime, rendererDir, host: options.host, port });
        console.log(`Polyhead serving ${runtime.project.dataDir}`);
        console.log(`open ${server.url}/`);
        if (!LOOPBACK.includes(options.host)) console.warn(`warning: bound to ${options.host}; anyone who can reach it can read and change this project`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await server.close();
      } finally {
        runtime.close();
      }
    });
}
