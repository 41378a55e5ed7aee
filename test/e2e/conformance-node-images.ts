/**
 * The test images the [sig-node] conformance files use besides busybox (which every node has), each
 * built by its script into .test-images and imported into a file's node by the first test that needs
 * it (`bosun images import`, once per node; later tests await the same import). A missing tarball
 * fails the test with the script to run, rather than a pod stuck pulling an image no registry has.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_IMAGES_DIR } from '../../src/agent/testing/private-containerd.js';
import { BOSUN_BIN, type NodeServer } from '../../src/testing/node-server.js';

export interface TestImage {
  ref: string;
  tarball: string;
  /** The script that builds the tarball (and what it needs). */
  build: string;
}

/** Node.js with /grpc-health.mjs, agnhost grpc-health-checking's stand-in (the GRPC probe tests). */
export const NODE_IMAGE: TestImage = {
  ref: 'bosun.test/node-operator:1', tarball: join(TEST_IMAGES_DIR, 'node-operator.tar'),
  build: 'scripts/build-test-node-operator-image.sh',
};

/** Upstream's nonewprivs: a setuid-root binary printing its effective uid (the AllowPrivilegeEscalation tests). */
export const NONEWPRIVS_IMAGE: TestImage = {
  ref: 'bosun.test/nonewprivs:1', tarball: join(TEST_IMAGES_DIR, 'nonewprivs.tar'),
  build: 'scripts/build-test-nonewprivs-image.sh (needs gcc and libc6-dev: a static C binary)',
};

const imported = new WeakMap<NodeServer, Map<string, Promise<unknown>>>();

/** Imports `image` into the node unless a test already did; rejects when its tarball was not built. */
export function importTestImage(node: NodeServer, image: TestImage): Promise<unknown> {
  let byRef = imported.get(node);
  if (!byRef) imported.set(node, (byRef = new Map()));
  let p = byRef.get(image.ref);
  if (!p) {
    p = existsSync(image.tarball)
      ? promisify(execFile)(process.execPath, [BOSUN_BIN, 'images', 'import', image.tarball, '--data-dir', node.dataDir])
      : Promise.reject(new Error(`${image.tarball} is missing: build ${image.ref} with ${image.build}`));
    byRef.set(image.ref, p);
  }
  return p;
}
