/**
 * `bosun images import FILE.tar... [--data-dir DIR]`: loads image tarballs (docker-archive or OCI
 * archive, e.g. from `docker save` or `skopeo copy`) into the node's own containerd
 * (DATA_DIR/node/containerd/containerd.sock for `bosun server`, DATA_DIR/containerd/containerd.sock
 * for `bosun agent`), namespace k8s.io, so pods can use them on an air-gapped node. The node must be
 * running: its containerd is the one that stores the images.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../api/defaults.js';
import { containerdPaths } from '../../agent/containerd/config.js';
import { importImageTarball } from '../../agent/containerd/images.js';
import { CriRuntime } from '../../agent/runtime/cri/cri-runtime.js';

export interface ImagesImportOptions {
  dataDir: string;
  /** An explicit containerd socket (overrides the data-dir lookup). */
  containerdSocket?: string;
}

/** The containerd sockets a node under `dataDir` may have: embedded (server) first, then standalone (agent). */
export function candidateSockets(dataDir: string): string[] {
  return [containerdPaths(resolve(dataDir, 'node', 'containerd')).socket, containerdPaths(resolve(dataDir, 'containerd')).socket];
}

async function answers(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const cri = new CriRuntime({ socket, defaultTimeoutMs: 2000 });
  try {
    await cri.version();
    return true;
  } catch {
    return false;
  } finally {
    cri.close();
  }
}

/** Finds the running node containerd for `o`, or throws saying what to start. */
export async function findNodeContainerd(o: ImagesImportOptions): Promise<string> {
  const sockets = o.containerdSocket ? [resolve(o.containerdSocket)] : candidateSockets(o.dataDir);
  for (const s of sockets) if (await answers(s)) return s;
  throw new Error(
    `the node's containerd is not running (no answer on ${sockets.join(' or ')}); ` +
      `start \`bosun server --data-dir ${o.dataDir}\` (or \`bosun agent\`) first, or pass --containerd-socket`,
  );
}

/** Imports every file; prints each image name; returns them. */
export async function importImages(files: string[], o: ImagesImportOptions, out: NodeJS.WritableStream = process.stdout): Promise<string[]> {
  for (const f of files) if (!existsSync(f)) throw new Error(`no such file: ${f}`);
  const socket = await findNodeContainerd(o);
  const all: string[] = [];
  for (const f of files) {
    const names = await importImageTarball(socket, resolve(f));
    for (const n of names) out.write(`imported ${n}\n`);
    all.push(...names);
  }
  return all;
}

export function registerImagesCommand(program: Command): void {
  const images = program.command('images').description('manage the images of this machine\'s node');
  images
    .command('import')
    .description('import image tarballs (docker-archive or OCI archive) into the node\'s containerd')
    .argument('<files...>', 'image tarballs')
    .option('--data-dir <dir>', 'the data dir of the running `bosun server` or `bosun agent`', DEFAULT_DATA_DIR)
    .option('--containerd-socket <path>', 'import into the containerd at this socket instead')
    .action(async (files: string[], o: ImagesImportOptions) => {
      await importImages(files, o);
    });
}
