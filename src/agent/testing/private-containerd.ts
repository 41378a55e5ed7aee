import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCniConfig } from '../cni/conflist.js';
import { removeIdleHostportChains } from '../cni/hostport-cleanup.js';
import type { RegistryConfig, RegistryHost } from '../containerd/config.js';
import { importImageTarball } from '../containerd/images.js';
import { DEFAULT_SANDBOX_IMAGE, startContainerd, type ContainerdHandle } from '../containerd/supervisor.js';
import { CriRuntime } from '../runtime/cri/cri-runtime.js';
import { deleteLink, processesMentioning, removeCgroupTree, unmountUnder } from './host-state.js';

/**
 * A private containerd for one test, in a fresh temp dir, with a CNI bridge, pod CIDR and cgroup
 * parent of its own (all named with a unique prefix), and Bosun's test images imported.
 * `teardown()` always removes every trace: sandboxes, shims, mounts, the bridge, cgroups, the dir.
 */

/** Repo root (this file is src/agent/testing/ or dist/agent/testing/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const TEST_IMAGES_DIR = join(REPO_ROOT, '.test-images');
export const PAUSE_TARBALL = join(TEST_IMAGES_DIR, 'pause.tar');
export const BUSYBOX_TARBALL = join(TEST_IMAGES_DIR, 'busybox.tar');
/** The busybox test image: default command `httpd -f -p 8080 -h /www`. */
export const BUSYBOX_IMAGE = 'bosun.test/busybox:1';

export interface TestContainerd {
  /** Unique prefix of everything this instance names, e.g. "bzt3f9a1c". */
  prefix: string;
  dir: string;
  handle: ContainerdHandle;
  cri: CriRuntime;
  bridge: string;
  podCIDR: string;
  /** cgroupfs parent for this test's pods, e.g. "/bzt3f9a1c"; give pods `${cgroupRoot}/pod<uid>`. */
  cgroupRoot: string;
  /** Stops containerd (SIGTERM) and starts it again on the same directory; `handle` is replaced. */
  restart(): Promise<void>;
  teardown(): Promise<void>;
}

export interface TestContainerdOptions {
  /** Import the busybox test image too (the pause image is always imported). */
  busybox?: boolean;
  /** Import the pause image from .test-images (default true). */
  pause?: boolean;
  registries?: RegistryHost[];
  /** A registries file's hosts and credentials (src/agent/registries). */
  registryConfig?: RegistryConfig;
}

/** Throws a clear message when scripts/build-test-images.sh has not been run. */
export function requireTestImages(): void {
  for (const f of [PAUSE_TARBALL, BUSYBOX_TARBALL]) {
    if (!existsSync(f)) throw new Error(`${f} missing: run scripts/build-test-images.sh first`);
  }
}

export async function startTestContainerd(opts: TestContainerdOptions = {}): Promise<TestContainerd> {
  requireTestImages();
  const id = randomBytes(3).toString('hex');
  const prefix = `bzt${id}`;
  // Short path: unix socket paths are limited to 108 bytes.
  const dir = mkdtempSync(join('/tmp', `${prefix}-`));
  const bridge = prefix; // 9 characters, under the 15-character limit
  const podCIDR = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;
  const cgroupRoot = `/${prefix}`;
  let handle: ContainerdHandle | undefined;
  let cri: CriRuntime | undefined;

  const teardown = async () => {
    if (cri && handle) {
      try {
        for (const s of await cri.listPodSandboxes()) {
          await cri.stopPodSandbox(s.id);
          await cri.removePodSandbox(s.id);
        }
      } catch {
        /* containerd may be gone already; the steps below still clean up */
      }
    }
    cri?.close();
    await handle?.stop();
    // Shims of pods that were never removed (they carry the socket path in their command line).
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    unmountUnder(dir);
    deleteLink(bridge);
    removeIdleHostportChains();
    removeCgroupTree(cgroupRoot);
    rmSync(dir, { recursive: true, force: true });
  };

  const start = () => startContainerd({ dir: join(dir, 'containerd'), sandboxImage: DEFAULT_SANDBOX_IMAGE, registries: opts.registries, registryConfig: opts.registryConfig });
  try {
    handle = await start();
    writeCniConfig(handle.paths.cniConfDir, { podCIDR, bridge, name: prefix, ipamDataDir: join(dir, 'cni-ipam') });
    if (opts.pause ?? true) await importImageTarball(handle.socket, PAUSE_TARBALL);
    if (opts.busybox ?? true) await importImageTarball(handle.socket, BUSYBOX_TARBALL);
    cri = new CriRuntime({ socket: handle.socket });
  } catch (err) {
    await teardown();
    throw err;
  }
  const tc: TestContainerd = {
    prefix,
    dir,
    handle,
    cri,
    bridge,
    podCIDR,
    cgroupRoot,
    teardown,
    async restart() {
      await handle!.stop();
      handle = await start();
      tc.handle = handle;
    },
  };
  return tc;
}
