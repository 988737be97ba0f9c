/** Keeping a project safe: check (SQLite's full integrity check), backup (online), audit (who changed what). */
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { backupDatabase } from '../../domain/backups.js';
import { DB_FILE, Project } from '../../domain/project.js';
import { checkDatabase, DatabaseDamagedError, openDatabase } from '../../store/database.js';
import { EXIT, UsageError } from '../errors.js';
import { requireData, requireProject } from '../session.js';

export function registerMaintenanceCommands(program: Command): void {
  program
    .command('check')
    .description(
      "Run SQLite's full integrity check (and the foreign key check) on a project's database, read-only. Exit code 0: sound; 4: damaged, with how to recover.",
    )
    .option('--data <DIR>', 'the project folder (must exist)')
    .action((options: { data?: string }) => {
      const file = path.join(requireProject(options.data), DB_FILE);
      const started = performance.now();
      const db = openDatabase(file, { readonly: true, check: 'none' });
      let problems: string[];
      try {
        problems = checkDatabase(db, 'full');
      } catch (error) {
        problems = [(error as Error).message];
      } finally {
        db.close();
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (problems.length === 0) {
        console.log(`ok: ${file} passed integrity_check and foreign_key_check (${seconds} s)`);
        return;
      }
      for (const problem of problems.slice(0, 50)) console.log(`problem: ${problem}`);
      console.error(`polyhead: ${new DatabaseDamagedError(file, problems).message}`);
      process.exitCode = EXIT.damaged;
    });

  program
    .command('backup')
    .description(
      "Copy the project's database to FILE with SQLite's online backup API: consistent, while servers and other commands keep using it. " +
        'The stored images (DIR/images/) are files: copy them with it to move a whole project.',
    )
    .option('--data <DIR>', 'the project folder (must exist; opened read-only)')
    .option('--out <FILE>', 'where the copy goes (must not exist)')
    .action(async (options: { data?: string; out?: string }) => {
      const dir = requireProject(options.data);
      if (!options.out) throw new UsageError('--out FILE is required');
      if (existsSync(options.out)) throw new UsageError(`${options.out} exists already; give a new file name`);
      const project = Project.open(dir, { mode: 'read' });
      try {
        const result = await backupDatabase(project.store, options.out);
        console.log(`backed up ${path.join(project.dataDir, DB_FILE)} to ${result.file} (${(result.bytes / 1e6).toFixed(1)} MB, ${result.ms} ms, checked)`);
      } finally {
        project.close();
      }
    });

  program
    .command('audit')
    .description('Export the audit log: who changed what and when (every change made through the API, and every refused attempt), as JSON lines or CSV.')
    .option('--data <DIR>', 'the project folder (must exist; opened read-only)')
    .option('--out <FILE>', 'write to FILE instead of standard output')
    .option('--since <TIME>', 'only entries from this ISO date or time on (e.g. 2025-01-31)')
    .option('--format <F>', 'jsonl or csv', 'jsonl')
    .action(async (options: { data?: string; out?: string; since?: string; format: string }) => {
      const dir = requireData(options.data);
      if (options.format !== 'jsonl' && options.format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got '${options.format}'`);
      const since = options.since ?? '';
      if (since !== '' && Number.isNaN(Date.parse(since))) throw new UsageError(`--since must be an ISO date or time, got '${since}'`);
      const project = Project.open(requireProject(dir), { mode: 'read' });
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const csv = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
      let count = 0;
      try {
        if (options.format === 'csv') out.write('id,at,user,action,outcome,detail\n');
        for (let after = 0; ;) {
          const page = project.store.audit.page(since === '' ? '' : new Date(since).toISOString(), after, 1000);
          for (const row of page) {
            const detail = row.detail === null ? null : (JSON.parse(row.detail) as unknown);
            out.write(
              options.format === 'csv'
                ? `${row.id},${csv(row.at)},${csv(row.user)},${csv(row.action)},${csv(row.outcome)},${csv(row.detail)}\n`
                : `${JSON.stringify({ id: row.id, at: row.at, user: row.user, action: row.action, outcome: row.outcome, detail })}\n`,
            );
          }
          count += page.length;
          if (page.length < 1000) break;
          after = page[page.length - 1]!.id;
        }
      } finally {
        project.close();
        if (options.out) await new Promise<void>((resolve) => (out as ReturnType<typeof createWriteStream>).end(resolve));
      }
      if (options.out) console.log(`${count} audit entries written to ${options.out}`);
    });
}
