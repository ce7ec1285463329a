// HDFS-style POSIX permission checks (simple auth: the caller is whoever `user.name` says, "dr.who" when
// absent). The superuser bypasses every check; a user's only group is the one named after it (the
// superuser is also in the supergroup).
import { hdfsErrors } from './errors.ts';

export interface Caller {
  user: string;
  superuser: boolean;
}

export interface Protected {
  owner: string;
  group: string;
  permission: number;
  isDir: boolean;
}

export type Access = 'READ' | 'WRITE' | 'EXECUTE' | 'READ_EXECUTE' | 'WRITE_EXECUTE' | 'ALL';

const BITS: Record<Access, number> = { READ: 4, WRITE: 2, EXECUTE: 1, READ_EXECUTE: 5, WRITE_EXECUTE: 3, ALL: 7 };

export const DEFAULT_USER = 'dr.who';
export const UMASK = 0o022;

/** "drwxr-xr-x" style rendering used in AccessControlException messages. */
export function modeString(node: Protected): string {
  const p = node.permission;
  const tri = (v: number) => `${v & 4 ? 'r' : '-'}${v & 2 ? 'w' : '-'}${v & 1 ? 'x' : '-'}`;
  let s = (node.isDir ? 'd' : '-') + tri((p >> 6) & 7) + tri((p >> 3) & 7) + tri(p & 7);
  if (p & 0o1000) s = s.slice(0, 9) + (p & 1 ? 't' : 'T');
  return s;
}

export function inGroup(caller: Caller, group: string, supergroup: string): boolean {
  return group === caller.user || (caller.superuser && group === supergroup);
}

export function checkAccess(caller: Caller, node: Protected, path: string, access: Access, supergroup: string): void {
  if (caller.superuser) return;
  const want = BITS[access];
  const p = node.permission;
  const granted = caller.user === node.owner ? (p >> 6) & 7 : inGroup(caller, node.group, supergroup) ? (p >> 3) & 7 : p & 7;
  if ((granted & want) !== want)
    throw hdfsErrors.accessControl(
      `Permission denied: user=${caller.user}, access=${access}, inode="${path}":${node.owner}:${node.group}:${modeString(node)}`,
    );
}

export function checkOwner(caller: Caller, node: Protected, path: string): void {
  if (caller.superuser || caller.user === node.owner) return;
  throw hdfsErrors.accessControl(`Permission denied. user=${caller.user} is not the owner of inode=${path}`);
}

/** Sticky directories (e.g. /tmp, 1777) only let owners remove or rename their own entries. */
export function checkSticky(caller: Caller, parent: Protected, child: Protected, childPath: string): void {
  if (caller.superuser || !(parent.permission & 0o1000)) return;
  if (caller.user === child.owner || caller.user === parent.owner) return;
  throw hdfsErrors.accessControl(
    `Permission denied by sticky bit: user=${caller.user}, path="${childPath}":${child.owner}:${child.group}:${modeString(child)}, parent="${childPath.slice(0, childPath.lastIndexOf('/')) || '/'}":${parent.owner}:${parent.group}:${modeString(parent)}`,
  );
}
