/** `polyhead serve`: the app and its API over HTTP + WebSocket, for one person or a team. */
import os from 'node:os';
import type { Command } from 'commander';
import { defaultProjectDir } from '../../app/default-project.js';
import { importSampleOnce, openRuntime } from '../../app/runtime.js';
import { scheduleDailyBackups } from '../../domain/backups.js';
import { ownerToken } from '../../domain/users.js';
import { rendererDir, sampleDir } from '../../platform/paths.js';
import { startServer } from '../../server/server.js';
import { resolveImportRoots } from '../../services/index.js';
import { parseInteger } from '../session.js';
import { UsageError } from '../errors.js';

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
const WILDCARD = ['0.0.0.0', '::'];

const collect = (value: string, previous: string[]) => [...previous, value];

interface ServeOptions {
  data?: string;
  host: string;
  port: string;
  withSample?: boolean;
  auth: boolean;
  importRoot: string[];
  allowHost: string[];
  readOnly?: boolean;
  backup: boolean;
}

/** The addresses a wildcard bind answers on, other machines' way in first. */
function reachableAddresses(): string[] {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return [...all.filter((a) => !a.internal && a.family === 'IPv4'), ...all.filter((a) => !a.internal && a.family === 'IPv6')].map((a) =>
    a.family === 'IPv6' ? `[${a.address}]` : a.address,
  );
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      "Serve the app and its API on http://HOST:PORT. Every request needs a user's token: open the link printed (…/?token=…); " +
        '`polyhead users add` gives each person their own. Without --data, opens the desktop app’s default project and imports ' +
        'the bundled sample on its first start (as does --with-sample). The project is created if missing.',
    )
    .option('--data <DIR>', 'the project folder (default: the desktop app’s default project)')
    .option('--host <HOST>', 'the interface to bind (0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <N>', 'the port (0: a free one)', '0')
    .option('--with-sample', 'import the bundled sample on the first start')
    .option('--no-auth', 'no sign-in: everyone who reaches the server acts as you (loopback binds only)')
    .option('--import-root <DIR>', 'a folder server-side imports may read (repeatable; none by default)', collect, [])
    .option('--allow-host <NAME>', "a host name browsers use to reach the server, e.g. a TLS proxy's (repeatable)", collect, [])
    .option('--read-only', 'serve without changing anything (also beside a server that already serves the project)')
    .option('--no-backup', 'no daily backup into DIR/backups/ while serving')
    .action(async (options: ServeOptions) => {
      const port = parseInteger(options.port, '--port');
      if (port > 65535) throw new UsageError(`--port must be 0..65535, got '${options.port}'`);
      const loopback = LOOPBACK.includes(options.host);
      if (!options.auth && !loopback) throw new UsageError(`--no-auth is for loopback binds only (127.0.0.1, localhost, ::1), not ${options.host}`);
      let importRoots: string[];
      try {
        importRoots = resolveImportRoots(options.importRoot);
      } catch (error) {
        throw new UsageError(`--import-root: ${(error as Error).message}`);
      }
      const readOnly = options.readOnly ?? false;
      const runtime = openRuntime(options.data ?? defaultProjectDir(), { mode: readOnly ? 'read' : 'write' });
      const stops: (() => void)[] = [];
      try {
        const { project } = runtime;
        const token = options.auth ? ownerToken(project.store, project.dataDir) : null;
        const server = await startServer({
          ...runtime,
          rendererDir,
          host: options.host,
          port,
          noAuth: !options.auth,
          importRoots,
          readOnly,
          allowHosts: options.allowHost,
        });
        if (!readOnly && (options.withSample || options.data === undefined)) {
          if (await importSampleOnce(project, sampleDir)) console.log(`imported the bundled sample into ${project.dataDir}`);
        }
        if (!readOnly && options.backup) stops.push(scheduleDailyBackups(project.store, project.dataDir, (line) => console.log(line)));
        const base = WILDCARD.includes(options.host) ? `http://${reachableAddresses()[0] ?? '127.0.0.1'}:${server.port}` : server.url;
        console.log(`Polyhead serving ${project.dataDir}${readOnly ? ' (read-only)' : ''}`);
        console.log(
          `import roots: ${importRoots.length > 0 ? importRoots.join(', ') : 'none (imports from the server’s folders are refused; --import-root DIR allows one)'}`,
        );
        if (token) console.log('users: `polyhead users add NAME --role labeler|trainer|admin --data DIR` gives each person their own token');
        else console.warn('warning: --no-auth: every process on this machine that reaches the port acts as you');
        if (!loopback) console.warn(`warning: bound to ${options.host}: use a TLS reverse proxy in front of it on an untrusted network (README "Team server")`);
        console.log(`open ${base}/${token ? `?token=${token}` : ''}`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        for (const stop of stops) stop();
        await server.close();
      } finally {
        runtime.close();
      }
    });
}
