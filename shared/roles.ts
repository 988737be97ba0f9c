/**
 * Who may do what on a shared project (server mode). Every user has one role; a role
 * includes everything the roles before it may do:
 * - labeler: read the project, label (set, clear, accept, bulk edits, undo), add a class
 *   and set keys;
 * - trainer: also change targets and classes (create, rename, merge, delete), train,
 *   predict, import from the server's import roots and export models;
 * - admin: also see the server's absolute paths. Users are managed with `polyhead users`.
 * The desktop app and the CLI act as their local user, an admin.
 */
export const ROLES = ['labeler', 'trainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What an API method needs: one permission each (shared/api/permissions.ts). */
export type Permission = 'read' | 'label' | 'targets' | 'train' | 'import' | 'export';

const GRANTS: Record<Role, readonly Permission[]> = {
  labeler: ['read', 'label'],
  trainer: ['read', 'label', 'targets', 'train', 'import', 'export'],
  admin: ['read', 'label', 'targets', 'train', 'import', 'export'],
};

export function roleMay(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The least role that has a permission, for messages ("needs the trainer role"). */
export function leastRoleFor(permission: Permission): Role {
  return ROLES.find((r) => roleMay(r, permission))!;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
