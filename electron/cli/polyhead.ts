import { parseArgs } from 'node:util';
import { DatabaseTooNewError } from '../store/database.js';
import { defaultProjectDir } from '../default-project.js';
import { runImport } from '../importer/importer.js';
import { rendererDir, sampleDir } from '../paths.js';
import { importSampleOnce, openRuntime } from '../runtime.js';
import { projectStats } from '../services/services.js';
import { startServer } from '../server/server.js';
import { formatImportSummary, formatStats } from './format.js';

const USAGE = `polyhead — label cropped text images with many targets, train multi-head CNNs

Usage:
  polyhead serve  [--data DIR] [--host H] [--port N] [--with-sample]
        Serve the app and its API on http://H:N (default 127.0.0.1, a free port).
        Without --data, opens the desktop app's default project and imports the
        bundled sample on its first start (as does --with-sample).
  polyhead import --data DIR PATH...
        Import images (folders recursively; PNG, JPEG, WebP, GIF, BMP, TIFF),
        CSV/JSONL label files keyed by file name, and MNIST-style IDX files.
  polyhead info   --data DIR [--json]
        Counts per target and class.

DIR holds the SQLite database and the stored images; it is created if missing.`;

class UsageError extends Error {}

function requireData(data: string | undefined): string {
  if (!data) throw new UsageError('--data DIR is required');
  return data;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      json: { type: 'boolean' },
      'with-sample': { type: 'boolean' },
      'max-pixels': { type: 'string' },
    },
  });

  switch (command) {
    case 'serve': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got '${values.port}'`);
      const dataDir = values.data ?? defaultProjectDir();
      const runtime = openRuntime(dataDir);
      if (values['with-sample'] || values.data === undefined) {
        if (await importSampleOnce(runtime.project, sampleDir)) console.log(`imported the bundled sample into ${runtime.project.dataDir}`);
      }
      const server = await startServer({ ...runtime, rendererDir, host: values.host, port });
      console.log(`Polyhead serving ${runtime.project.dataDir}`);
      console.log(`open ${server.url}/`);
      if (values.host && !['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
        console.warn(`warning: bound to ${values.host}; anyone who can reach it can read and change this project`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      runtime.close();
      return 0;
    }
    case 'import': {
      const dataDir = requireData(values.data);
      if (positionals.length === 0) throw new UsageError('give at least one PATH to import');
      const maxPixels = values['max-pixels'] === undefined ? undefined : Number(values['max-pixels']);
      const runtime = openRuntime(dataDir);
      try {
        let last = 0;
        const summary = await runImport(
          { store: runtime.project.store, dataDir: runtime.project.dataDir },
          {
            paths: positionals,
            maxPixels,
            onProgress: (done, total) => {
              const now = Date.now();
              if (process.stderr.isTTY && (now - last > 200 || done === total)) {
                last = now;
                process.stderr.write(`\rimporting ${done}/${total}`);
                if (done === total) process.stderr.write('\n');
              }
            },
          },
        );
        console.log(formatImportSummary(summary));
        return 0;
      } finally {
        runtime.close();
      }
    }
    case 'info': {
      const runtime = openRuntime(requireData(values.data));
      try {
        const stats = projectStats(runtime.project);
        console.log(values.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
        return 0;
      } finally {
        runtime.close();
      }
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`polyhead: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DatabaseTooNewError) {
      console.error(`polyhead: ${error.message}`);
      process.exitCode = 3;
    } else {
      console.error(`polyhead: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
