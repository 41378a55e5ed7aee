import { chmodSync, lchownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/**
 * The kubelet's SetVolumeOwnership (pkg/volume/volume_linux.go): every file and directory of a
 * volume gets group `fsGroup` (lchown: symlinks themselves, never their targets), group read (and
 * write unless the volume is read-only: rw 0660 / ro 0440 added to the mode), directories also
 * group search and the setgid bit, so files created later inherit the group. Symlinks are not
 * chmod-ed (that would change their targets' modes). With fsGroupChangePolicy OnRootMismatch the
 * walk is skipped when the root already has the group, the permissions and setgid.
 */

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

export type FsGroupChangePolicy = 'OnRootMismatch' | 'Always';

/** requiresPermissionChange: whether the root directory lacks the group, the mode bits or setgid. */
export function requiresPermissionChange(root: string, fsGroup: number, readOnly: boolean): boolean {
  let st: Stats;
  try {
    st = statSync(root);
  } catch {
    return true;
  }
  if (st.gid !== fsGroup || !st.isDirectory()) return true;
  const want = (readOnly ? RO : RW) | EXEC;
  return (st.mode & want) !== want || (st.mode & SETGID) === 0;
}

function changeOne(path: string, st: Stats, fsGroup: number, readOnly: boolean): void {
  lchownSync(path, st.uid, fsGroup);
  if (st.isSymbolicLink()) return;
  let mask = readOnly ? RO : RW;
  if (st.isDirectory()) mask |= SETGID | EXEC;
  chmodSync(path, (st.mode & 0o7777) | mask);
}

const gone = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** walkDeep: children before their directory, without following symlinks; files removed meanwhile are skipped. */
function walk(path: string, fn: (p: string, st: Stats) => void): void {
  try {
    const st = lstatSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name), fn);
    fn(path, st);
  } catch (err) {
    if (!gone(err)) throw err;
  }
}

/**
 * Applies `fsGroup` to the volume at `root`; returns whether it walked the tree (false when
 * OnRootMismatch found the root already right).
 */
export function setVolumeOwnership(root: string, fsGroup: number, readOnly: boolean, policy?: FsGroupChangePolicy): boolean {
  if (policy === 'OnRootMismatch' && !requiresPermissionChange(root, fsGroup, readOnly)) return false;
  walk(root, (p, st) => changeOne(p, st, fsGroup, readOnly));
  return true;
}
