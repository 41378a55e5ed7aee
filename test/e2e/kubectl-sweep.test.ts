/**
 * The kubectl 1.32 command sweep: commands a user runs that the other kubectl-*.test.ts files do not
 * cover, each found broken against a real single-node Bosun (the compiled `bosun server` with its
 * node, real containers) and fixed. One node for the whole file; pods are shared between checks.
 * Needs root and scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useNodeServer } from '../../src/testing/node-server.js';

const IMAGE = 'bosun.test/busybox:1';

describe('kubectl command sweep', { timeout: 120_000 }, () => {
  const node = useNodeServer();

  test('run -i --rm: the output after stdin ends comes back, as the runtime closes stdin once (stdinOnce)', async () => {
    // kubectl run -i makes the container with stdin and stdinOnce, attaches, sends its stdin and
    // closes it. As kubelet's generateContainerConfig passes StdinOnce, containerd then closes the
    // container's stdin (the second read sees end of input) and keeps the attach's stdout open until
    // the process exits. Without it the attach's output closed with stdin and `cat` never ended.
    const script = 'read first; echo got-$first; cat >/dev/null; echo stdin-closed';
    const r = await node().kubectl(['run', 'sweep-run', '-i', '--rm', '--restart=Never', `--image=${IMAGE}`, '--', 'sh', '-c', script], { input: 'go\n', timeoutMs: 40_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^got-go\nstdin-closed\n/m);
    assert.match(r.stdout, /pod "sweep-run" deleted/);
  });
});
