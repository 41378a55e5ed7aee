import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRuntime } from '../runtime/types.js';
import { importImageTarball } from './images.js';
import { writeTar } from './tar.js';

/**
 * Bosun's pod sandbox ("pause") image, made on the node from /bin/busybox (Debian busybox-static)
 * with no registry and no image tools: one layer with busybox, sh and sleep; the process sleeps and
 * exits at once on TERM/INT. Imported into containerd as bosun.local/pause:1 when missing, so
 * `bosun server` works offline. scripts/build-test-images.sh builds the same image with umoci.
 */

export const PAUSE_IMAGE = 'bosun.local/pause:1';
const PAUSE_SCRIPT = 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function ociArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

/** The pause image as a docker-archive tarball (the `docker save` format `ctr images import` reads). */
export function buildPauseImageTar(busyboxPath = '/bin/busybox', name = PAUSE_IMAGE): Buffer {
  let busybox: Buffer;
  try {
    busybox = readFileSync(busyboxPath);
  } catch {
    throw new Error(`${busyboxPath} missing: the pause image is built from it (apt-get install busybox-static)`);
  }
  const layer = writeTar([
    { type: 'dir', name: 'bin' },
    { type: 'file', name: 'bin/busybox', data: busybox, mode: 0o755 },
    { type: 'symlink', name: 'bin/sh', target: 'busybox' },
    { type: 'symlink', name: 'bin/sleep', target: 'busybox' },
  ]);
  const layerDigest = sha256(layer);
  const config = JSON.stringify({
    architecture: ociArch(),
    os: 'linux',
    config: { Env: ['PATH=/bin'], Entrypoint: ['/bin/sh', '-c', PAUSE_SCRIPT] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created_by: 'bosun pause image' }],
  });
  const configName = `${sha256(config)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [name], Layers: [`${layerDigest}/layer.tar`] }]);
  return writeTar([
    { type: 'dir', name: layerDigest },
    { type: 'file', name: `${layerDigest}/layer.tar`, data: layer },
    { type: 'file', name: configName, data: Buffer.from(config) },
    { type: 'file', name: 'manifest.json', data: Buffer.from(manifest) },
  ]);
}

/** Imports the pause image into the containerd at `socket` unless the runtime already has it. */
export async function ensurePauseImage(runtime: ContainerRuntime, socket: string, busyboxPath?: string): Promise<boolean> {
  if (await runtime.imageStatus(PAUSE_IMAGE)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'bosun-pause-'));
  try {
    const file = join(dir, 'pause.tar');
    writeFileSync(file, buildPauseImageTar(busyboxPath));
    await importImageTarball(socket, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return true;
}
