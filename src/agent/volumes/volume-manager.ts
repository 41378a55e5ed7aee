import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod, Volume } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';
import { InvalidPathError, writeAtomic } from './atomic-writer.js';
import type { ClaimResolver } from './persistent-volumes.js';
import { projectedFiles, VolumeSetupError, wantsTmpfs } from './projections.js';
import type { ServiceAccountTokenManager } from './service-account-tokens.js';
import { setVolumeOwnership } from './volume-ownership.js';

const run = promisify(execFile);

/**
 * A pod's volumes on the host, under DATA_DIR/pods/<uid>/volumes/<name>: emptyDir (a directory, or
 * tmpfs for medium Memory), configMap/secret/downwardAPI/projected (files written atomically, secrets
 * and projected on tmpfs), hostPath (the host path itself, checked against its type). `setup` is
 * idempotent and re-projects contents each time, so ConfigMap and Secret updates reach mounted files.
 * The pod's fsGroup is applied as the kubelet applies it: to an emptyDir once, when it is made (0777
 * like upstream's, then group, g+rw and setgid), and to projected files each time they are written;
 * never to hostPath volumes (upstream's hostPath supports no ownership management).
 */

export interface VolumeManagerOptions {
  /** Root of per-pod directories (DATA_DIR/pods). */
  podsDir: string;
  lookup: ObjectLookup;
  allocatable: { cpu: string; memory: string };
  /** persistentVolumeClaim volumes: claim -> bound PV -> host path (none: such volumes are refused). */
  claims?: ClaimResolver;
  /** Tokens of projected serviceAccountToken sources (service-account-tokens.ts; none: such volumes fail). */
  tokens?: Pick<ServiceAccountTokenManager, 'get' | 'forget'>;
}

/**
 * Host paths of the pod's volumes by volume name, whether each is mounted read-only by nature, and
 * where the volume's subPath bind mounts go (src/agent/volumes/safe-subpath.ts).
 */
export type VolumePaths = Map<string, { hostPath: string; readOnly: boolean; subPathsDir: string }>;

function isMountPoint(path: string): boolean {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((l) => l.split(' ')[4] === path);
}

async function mountTmpfs(dir: string, mode: string, sizeBytes?: number): Promise<void> {
  if (isMountPoint(dir)) return;
  const opts = [`mode=${mode}`, ...(sizeBytes ? [`size=${sizeBytes}`] : [])].join(',');
  await run('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
}

async function unmountAll(under: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === under || m.startsWith(`${under}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      await run('umount', [m]);
    } catch {
      await run('umount', ['-l', m]).catch(() => undefined);
    }
  }
}

function checkHostPath(path: string, type: string | undefined): void {
  const exists = existsSync(path);
  const st = exists ? statSync(path) : undefined;
  switch (type ?? '') {
    case 'DirectoryOrCreate':
      if (!exists) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!st!.isDirectory()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!exists) writeFileSync(path, '', { mode: 0o644 });
      else if (!st!.isFile()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'File':
      if (!st?.isFile()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new VolumeSetupError(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class VolumeManager {
  constructor(private readonly o: VolumeManagerOptions) {}

  podDir(uid: string): string {
    return join(this.o.podsDir, uid);
  }

  volumesDir(uid: string): string {
    return join(this.podDir(uid), 'volumes');
  }

  /** Makes (or refreshes) every volume of the pod; throws VolumeSetupError with a user-facing message. */
  async setup(pod: Pod): Promise<VolumePaths> {
    const uid = pod.metadata.uid!;
    const out: VolumePaths = new Map();
    const base = this.volumesDir(uid);
    mkdirSync(base, { recursive: true, mode: 0o750 });
    for (const v of pod.spec?.volumes ?? []) {
      // The API allows DNS labels only; the name becomes a path here, so the node checks again.
      if (!DNS_LABEL.test(v.name)) throw new VolumeSetupError(`invalid volume name ${JSON.stringify(v.name)}`);
      let paths: { hostPath: string; readOnly: boolean };
      try {
        paths = await this.setupOne(pod, v, join(base, v.name));
      } catch (err) {
        if (err instanceof VolumeSetupError && err.volume === undefined) err.volume = v.name;
        throw err;
      }
      out.set(v.name, { ...paths, subPathsDir: join(this.podDir(uid), 'volume-subpaths', v.name) });
    }
    return out;
  }

  /** emptyDir: made once (upstream's ready marker), 0777 whatever the umask, then the pod's fsGroup. */
  private async setupEmptyDir(pod: Pod, v: Volume, dir: string): Promise<void> {
    const ready = join(this.podDir(pod.metadata.uid!), 'volume-ready', v.name);
    if (existsSync(ready) && existsSync(dir)) return;
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o777);
    if (v.emptyDir?.medium === 'Memory') {
      const limit = v.emptyDir.sizeLimit;
      await mountTmpfs(dir, '1777', limit ? Number(parseQuantity(String(limit)).value()) : undefined);
    }
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    // emptyDir passes no fsGroupChangePolicy upstream (empty_dir.go): a new volume always gets the walk.
    if (fsGroup !== undefined && fsGroup !== null) setVolumeOwnership(dir, fsGroup, false);
    mkdirSync(dirname(ready), { recursive: true });
    writeFileSync(ready, '');
  }

  private async setupOne(pod: Pod, v: Volume, dir: string): Promise<{ hostPath: string; readOnly: boolean }> {
    if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) {
      if (!this.o.claims) throw new VolumeSetupError(`persistentVolumeClaim volumes are not supported by this node (volume "${v.name}")`);
      const src = await this.o.claims(pod.metadata.namespace ?? 'default', v.persistentVolumeClaim.claimName);
      if (src.type !== 'local') checkHostPath(src.path, src.type);
      return { hostPath: src.path, readOnly: !!v.persistentVolumeClaim.readOnly };
    }
    if (v.emptyDir) {
      await this.setupEmptyDir(pod, v, dir);
      return { hostPath: dir, readOnly: false };
    }
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (wantsTmpfs(v)) await mountTmpfs(dir, '0755');
    const files = projectedFiles(v, { pod, lookup: this.o.lookup, allocatable: this.o.allocatable, tokens: await this.tokensFor(pod, v) });
    if (files) {
      const fsGroup = pod.spec?.securityContext?.fsGroup ?? undefined;
      try {
        writeAtomic(dir, files, { fsGroup });
      } catch (err) {
        if (err instanceof InvalidPathError) throw new VolumeSetupError(`volume "${v.name}": ${err.message}`);
        throw err;
      }
      return { hostPath: dir, readOnly: true };
    }
    throw new VolumeSetupError(`volume "${v.name}" has a type this node does not support`);
  }

  /** The tokens of a projected volume's serviceAccountToken sources, by path (kubelet: `failed to fetch token: ...`). */
  private async tokensFor(pod: Pod, v: Volume): Promise<Map<string, Buffer> | undefined> {
    const sources = (v.projected?.sources ?? []).flatMap((s) => (s.serviceAccountToken ? [s.serviceAccountToken] : []));
    if (sources.length === 0) return undefined;
    if (!this.o.tokens) throw new VolumeSetupError('failed to fetch token: this node has no token source');
    const out = new Map<string, Buffer>();
    for (const src of sources) {
      try {
        out.set(src.path ?? '', Buffer.from(await this.o.tokens.get(pod, src.audience || undefined, src.expirationSeconds ?? 3600)));
      } catch (err) {
        throw new VolumeSetupError(`failed to fetch token: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  /** Unmounts and removes everything of the pod's directory. */
  async teardown(uid: string): Promise<void> {
    this.o.tokens?.forget(uid);
    const dir = this.podDir(uid);
    await unmountAll(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
