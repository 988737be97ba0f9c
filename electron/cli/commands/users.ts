/** `polyhead users`: who may use a served project, with which role; each user has their own token. */
import type { Command } from 'commander';
import { Project } from '../../domain/project.js';
import { addUser, OWNER, removeUser, resetToken } from '../../domain/users.js';
import { isRole, ROLES, type Role } from '../../../shared/roles.js';
import { localUserName } from '../../services/index.js';
import { UsageError } from '../errors.js';
import { requireProject } from '../session.js';

function parseRole(value: string): Role {
  if (!isRole(value)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${value}'`);
  return value;
}

/** Opens the project to change its users; each change is recorded in the audit log as the local user. */
function withProject<T>(data: string | undefined, fn: (project: Project, audit: (action: string, detail: unknown) => void) => T): T {
  const project = Project.open(requireProject(data));
  try {
    const audit = (action: string, detail: unknown) => project.store.audit.record(localUserName(), action, 'ok', detail);
    return fn(project, audit);
  } finally {
    project.close();
  }
}

const tokenLines = (name: string, role: Role, token: string) =>
  [
    `token for ${name} (${role}): ${token}`,
    `open http://SERVER:PORT/?token=${token} in a browser (the address \`polyhead serve\` prints), or send it as 'Authorization: Bearer TOKEN'.`,
    'It is shown only now: the project keeps only its hash.',
  ].join('\n');

export function registerUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description(
      `The people who may use a served project, each with a role (${ROLES.join(', ')}) and their own token. ` +
        "A labeler labels; a trainer also edits targets, trains, imports from the server's import roots and exports; an admin also sees server paths.",
    );
  users
    .command('add')
    .description('Add a user and print their token (shown once).')
    .argument('<NAME>', 'the user name, recorded with everything they change')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--role <ROLE>', `${ROLES.join(' | ')}`, 'labeler')
    .action((name: string, options: { data?: string; role: string }) =>
      withProject(options.data, ({ store }, audit) => {
        const role = parseRole(options.role);
        const token = addUser(store, name, role);
        audit('users.add', { name, role });
        console.log(tokenLines(name, role, token));
      }),
    );
  users
    .command('list')
    .description('The users and their roles.')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--json', 'print JSON')
    .action((options: { data?: string; json?: boolean }) =>
      withProject(options.data, ({ store }) => {
        const list = store.users.list().map((u) => ({ name: u.name, role: u.role, createdAt: u.created_at }));
        if (options.json) console.log(JSON.stringify(list, null, 2));
        else if (list.length === 0) console.log('no users yet (the first `polyhead serve` makes the owner)');
        else
          for (const u of list) console.log(`${u.name.padEnd(24)} ${u.role.padEnd(8)} since ${u.createdAt}${u.name === OWNER ? '  (the project token)' : ''}`);
      }),
    );
  users
    .command('remove')
    .description('Remove a user: their token stops working at once (their name stays on what they wrote).')
    .argument('<NAME>', 'the user')
    .option('--data <DIR>', 'the project folder (must exist)')
    .action((name: string, options: { data?: string }) =>
      withProject(options.data, ({ store }, audit) => {
        removeUser(store, name);
        audit('users.remove', { name });
        console.log(`removed ${name}`);
      }),
    );
  users
    .command('token')
    .description('Give a user a new token (the old one stops working) and print it.')
    .argument('<NAME>', 'the user')
    .option('--data <DIR>', 'the project folder (must exist)')
    .action((name: string, options: { data?: string }) =>
      withProject(options.data, (project, audit) => {
        const token = resetToken(project.store, name, project.dataDir);
        audit('users.token', { name });
        console.log(tokenLines(name, project.store.users.byName(name)!.role, token));
      }),
    );
  users
    .command('role')
    .description("Change a user's role.")
    .argument('<NAME>', 'the user')
    .argument('<ROLE>', ROLES.join(' | '))
    .option('--data <DIR>', 'the project folder (must exist)')
    .action((name: string, roleName: string, options: { data?: string }) =>
      withProject(options.data, ({ store }, audit) => {
        const role = parseRole(roleName);
        if (!store.write(() => store.users.setRole(name, role))) throw new UsageError(`no user named '${name}' (see \`polyhead users list\`)`);
        audit('users.role', { name, role });
        console.log(`${name} is now ${role === 'admin' ? 'an' : 'a'} ${role}`);
      }),
    );
}
