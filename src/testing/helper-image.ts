/**
 * Test nodes have no registry: the local-path provisioner's deletion helper image
 * (DEFAULT_HELPER_IMAGE, docker.io/library/busybox:1.36) is the test busybox under that name, so
 * deleting a claim of the default class runs its helper pod without any network pull.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEFAULT_HELPER_IMAGE } from '../controllers/persistentvolume/pv-controller.js';

const run = promisify(execFile);
export const TEST_BUSYBOX = 'bosun.test/busybox:1';

/** Tags the imported test busybox as the helper image in the node's containerd at `socket`. */
export async function tagLocalPathHelperImage(socket: string): Promise<void> {
  await run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'tag', '--force', TEST_BUSYBOX, DEFAULT_HELPER_IMAGE]);
}
