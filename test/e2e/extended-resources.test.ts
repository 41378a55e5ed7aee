/**
 * Extended resources on a real node (issue 15), the way upstream's "Advertise Extended Resources for
 * a Node" task does it without a device plugin: a PATCH of the node's status.capacity; the agent
 * mirrors it into allocatable as upstream's kubelet does; a pod asking for both units runs; one more
 * stays Pending with the scheduler's upstream message; a request unequal to its limit is refused
 * with ValidateResourceRequirements' message. Needs root; `npm run build` and
 * scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

const FOO = 'example.com/foo';
const pod = (name: string, limits: Record<string, string>, requests?: Record<string, string>) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name: 'c', image: 'bosun.test/busybox:1', command: ['sleep', '3600'], resources: { limits, ...(requests ? { requests } : {}) } }],
  },
});

describe('extended resources on a real node', { timeout: 240_000 }, () => {
  const getNode = useNodeServer();
  let node: NodeServer;
  before(() => {
    node = getNode();
  });

  it('advertised capacity becomes allocatable, is scheduled in whole units, and the next pod waits with upstream\'s message', async () => {
    await node.k('patch', 'node', node.nodeName, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { capacity: { [FOO]: '2' } } }));
    await waitFor('allocatable example.com/foo', async () =>
      (await node.k('get', 'node', node.nodeName, '-o', `jsonpath={.status.allocatable.example\\.com/foo}`)) === '2', 60_000, 500);

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('xr-two', { [FOO]: '2' }) })).code, 0);
    const w = await node.kubectl(['wait', '--for=condition=Ready', 'pod/xr-two', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w.code, 0, w.stderr);
    // The request defaulted from the limit, as upstream's defaulting does.
    assert.equal(await node.k('get', 'pod', 'xr-two', '-o', 'jsonpath={.spec.containers[0].resources.requests.example\\.com/foo}'), '2');

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('xr-one', { [FOO]: '1' }) })).code, 0);
    const msg = await waitFor('FailedScheduling', async () => {
      const out = await node.k('get', 'events', '--field-selector', 'involvedObject.name=xr-one,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}');
      return out || undefined;
    }, 60_000, 500);
    assert.match(msg, /^0\/1 nodes are available: 1 Insufficient example\.com\/foo\./);
    assert.equal(await node.k('get', 'pod', 'xr-one', '-o', 'jsonpath={.status.phase}'), 'Pending');
    const cond = await node.k('get', 'pod', 'xr-one', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}');
    assert.match(cond, /^0\/1 nodes are available: 1 Insufficient example\.com\/foo\./);

    // Deleting the first pod frees both units; the waiting pod gets one.
    await node.k('delete', 'pod', 'xr-two', '--wait=true');
    const w2 = await node.kubectl(['wait', '--for=condition=Ready', 'pod/xr-one', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w2.code, 0, w2.stderr);
  });

  it('a request unequal to its limit is refused as upstream refuses it', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: pod('xr-bad', { [FOO]: '2' }, { [FOO]: '1' }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.containers\[0\]\.resources\.requests: Invalid value: "1": must be equal to example\.com\/foo limit of 2/);
  });
});
