/** The simulated kubelet's host-port admission (admission.ts), as pkg/kubelet/lifecycle's NodePorts predicate. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../api/kinds/index.js';
import { hostPortsTaken } from './admission.js';

const pod = (name: string, created: string, port?: { hostPort: number; hostIP?: string; protocol?: string }, phase?: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, uid: name, creationTimestamp: created },
  spec: { containers: [{ name: 'c', image: 'i', ...(port ? { ports: [{ containerPort: port.hostPort, ...port }] } : {}) }] },
  ...(phase ? { status: { phase } } : {}),
} as Pod);

test('a pod asking for a host port held by a pod admitted before it is refused; other ports, protocols, addresses and ended pods are not in the way', () => {
  const running = pod('a', '2024-01-01T00:00:02Z', { hostPort: 80 }, 'Running');
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:01Z', { hostPort: 80 }), [running]), true, 'a running holder wins even if younger');
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z', { hostPort: 80, hostIP: '10.0.0.1' }), [running]), true, 'the wildcard holds every address');
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z', { hostPort: 81 }), [running]), false);
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z', { hostPort: 80, protocol: 'UDP' }), [running]), false);
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z', { hostPort: 80 }), [pod('a', '2024-01-01T00:00:02Z', { hostPort: 80 }, 'Failed')]), false);
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z', { hostPort: 80 }), [pod('a', '2024-01-01T00:00:02Z', { hostPort: 80 })]), true, 'an older pending pod is admitted first');
  assert.equal(hostPortsTaken(pod('a', '2024-01-01T00:00:02Z', { hostPort: 80 }), [pod('b', '2024-01-01T00:00:03Z', { hostPort: 80 })]), false, 'a younger pending pod is not');
  assert.equal(hostPortsTaken(pod('b', '2024-01-01T00:00:03Z'), [running]), false, 'no host ports, nothing to check');
});
