/**
 * What the session may do, from its role as the API reports it (project.info): a control whose
 * method the server would refuse (403) is shown disabled, its tooltip naming the role it needs,
 * instead of failing on use. The server's check (electron/services/dispatch.ts) stays the rule;
 * this only says it beforehand.
 */
import type { ProjectInfo } from '../../../shared/api/contract.js';
import { leastRoleFor, roleMay, type Permission } from '../../../shared/roles.js';
import { useProjectStore } from '../stores/project';

export interface Allowed {
  allowed: boolean;
  /** Why not, for the control's tooltip; undefined when allowed. */
  reason: string | undefined;
}

/** Pure: `info` null (not loaded yet) allows, as the server still decides. */
export function allowedFor(info: Pick<ProjectInfo, 'user' | 'role' | 'readOnly'> | null, permission: Permission): Allowed {
  if (info === null) return { allowed: true, reason: undefined };
  if (info.readOnly && permission !== 'read') return { allowed: false, reason: 'This server is read-only: nothing can be changed through it' };
  if (roleMay(info.role, permission)) return { allowed: true, reason: undefined };
  return { allowed: false, reason: `Needs the ${leastRoleFor(permission)} role: ${info.user} is a ${info.role} (an admin can change it: polyhead users)` };
}

/** `may(permission)` for the open project's session, reactive where it is read in a template or computed. */
export function usePermission(): (permission: Permission) => Allowed {
  const project = useProjectStore();
  return (permission) => allowedFor(project.info, permission);
}
