/**
 * Node passwords (k3s's node-password check): the first join of a node name records the sha256 of
 * the password the agent keeps in its data dir; a later join of the same name must present the same
 * password while the Node exists. Anyone holding the join token can join new nodes, but cannot take
 * over a registered node's name (and with it its Node, Lease and pods); deleting the Node frees the
 * name (the join handler forgets its password), as k3s deletes the node-password secret with the
 * Node. Stored in DATA_DIR/join/node-passwords.json.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, tightenFile, writePrivateFile } from '../pki/private-file.js';

const hash = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

export class NodePasswords {
  private readonly path: string;

  constructor(dataDir: string) {
    const dir = join(dataDir, 'join');
    ensurePrivateDir(dir);
    this.path = join(dir, 'node-passwords.json');
    tightenFile(this.path);
  }

  private read(): Record<string, string> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {};
  }

  /** Records the password on first use; false when the node name is held with another password. */
  check(nodeName: string, password: string): boolean {
    const all = this.read();
    const want = hash(password);
    const have = all[nodeName];
    if (have !== undefined) return have.length === want.length && timingSafeEqual(Buffer.from(have), Buffer.from(want));
    all[nodeName] = want;
    const tmp = `${this.path}.tmp`;
    writePrivateFile(tmp, JSON.stringify(all, null, 2));
    renameSync(tmp, this.path);
    return true;
  }

  /** Forgets a node (after `kubectl delete node`, a new machine may take the name). */
  forget(nodeName: string): void {
    const all = this.read();
    if (!(nodeName in all)) return;
    delete all[nodeName];
    writePrivateFile(this.path, JSON.stringify(all, null, 2));
  }
}
