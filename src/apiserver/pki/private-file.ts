/**
 * Files at rest that only the server's user may read: keys, tokens, kubeconfigs, the database
 * (k3s keeps its data dir the same way). Modes are set explicitly, whatever the umask and whatever
 * mode an existing file or directory had before (an older version, an admin's copy).
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Writes `data` to `path`, readable and writable by its owner only. */
export function writePrivateFile(path: string, data: string): void {
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes `dir` (and missing parents) and leaves it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600 (no-op when it does not exist). */
export function tightenFile(path: string): void {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}
