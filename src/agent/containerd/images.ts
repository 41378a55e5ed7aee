import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RUNTIME_PATH } from './binaries.js';

const run = promisify(execFile);

/** The containerd namespace the CRI plugin keeps its images and containers in. */
export const CRI_NAMESPACE = 'k8s.io';

/**
 * Imports an image tarball (docker-archive or OCI archive, e.g. from `docker save` or skopeo) into
 * the CRI namespace of the containerd at `socket`, so pods can use it without a registry. Returns
 * the image names ctr reports as imported. Backs `bosun images import FILE.tar`.
 */
export async function importImageTarball(socket: string, file: string): Promise<string[]> {
  try {
    const { stdout } = await run('ctr', ['-n', CRI_NAMESPACE, '--address', socket, 'images', 'import', file], {
      env: { ...process.env, PATH: RUNTIME_PATH },
      maxBuffer: 16 * 1024 * 1024,
    });
    // ctr prints "unpacking NAME (sha256:...)...done" per image.
    return [...stdout.matchAll(/unpacking (\S+) \(/g)].map((m) => m[1]!);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`importing ${file} into containerd failed: ${(e.stderr || e.message).trim()}`);
  }
}
