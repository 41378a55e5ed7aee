import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamingRequest } from '../http/streaming.js';
import type { ResourceStorage } from '../storage/types.js';
import { agentEndpointOf } from './agent-client.js';
import { containerLogsPath, execPath, parseExecParams, portForwardPath, resolvePodTarget } from './pod-target.js';

function req(pod: object, query: string): StreamingRequest {
  const storage = { get: async () => pod } as unknown as ResourceStorage;
  return { namespace: 'ns', name: 'p', user: { name: 'u', groups: [] }, query: new URLSearchParams(query), storage, rest: [] };
}

const pod = (containers: string[], extra: object = {}) => ({ metadata: { name: 'p', ...extra }, spec: { nodeName: 'n1', containers: containers.map((name) => ({ name })), initContainers: [{ name: 'init' }] } });

describe('pod target (kube-apiserver checks)', () => {
  const cases: { name: string; pod: object; query: string; container?: string; error?: RegExp }[] = [
    { name: 'the only container is the default', pod: pod(['a']), query: '', container: 'a' },
    { name: 'an explicit container', pod: pod(['a', 'b']), query: 'container=b', container: 'b' },
    { name: 'init containers are valid', pod: pod(['a', 'b']), query: 'container=init', container: 'init' },
    { name: 'the default-container annotation', pod: pod(['a', 'b'], { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } }), query: '', container: 'b' },
    { name: 'several containers need a choice', pod: pod(['a', 'b']), query: '', error: /a container name must be specified for pod p, choose one of: \[a b init\]/ },
    { name: 'an unknown container', pod: pod(['a']), query: 'container=z', error: /container z is not valid for pod p/ },
    { name: 'an unscheduled pod', pod: { spec: { containers: [{ name: 'a' }] } }, query: '', error: /pod p does not have a host assigned/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (c.error) return assert.rejects(resolvePodTarget(req(c.pod, c.query), true), (e: { code?: number; message: string }) => e.code === 400 && c.error!.test(e.message));
      const t = await resolvePodTarget(req(c.pod, c.query), true);
      assert.equal(t.container, c.container);
      assert.equal(t.nodeName, 'n1');
    });
  }

  it('builds kubelet paths with kubelet parameter names', () => {
    const t = { namespace: 'ns', pod: 'p', nodeName: 'n1', container: 'c' };
    assert.equal(containerLogsPath(t, new URLSearchParams('follow=true&tailLines=5&container=c&pretty=1')), '/containerLogs/ns/p/c?follow=true&tailLines=5');
    const p = parseExecParams(new URLSearchParams('command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&stderr=true&tty=true'));
    assert.equal(execPath(t, p), '/exec/ns/p/c?command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1');
    assert.equal(portForwardPath(t, new URLSearchParams('ports=80&ports=443')), '/portForward/ns/p?port=80&port=443');
    assert.throws(() => parseExecParams(new URLSearchParams('stdout=true')), /at least one command/);
    assert.throws(() => parseExecParams(new URLSearchParams('command=ls')), /at least 1 of stdin, stdout, stderr/);
  });

  // The Python client's `stream(core.connect_get_namespaced_pod_exec, ..., stdout=True)` and
  // `read_namespaced_pod_log(..., follow=True)`: upstream decodes PodExecOptions and PodLogOptions
  // with apimachinery's boolean conversion, so "True" is true and "False" false.
  it('reads exec and log booleans as upstream converts them (Python spells them True/False)', () => {
    const t = { namespace: 'ns', pod: 'p', nodeName: 'n1', container: 'c' };
    const p = parseExecParams(new URLSearchParams('command=ls&stdin=False&stdout=True&stderr=True&tty=False'));
    assert.deepEqual({ ...p, command: undefined }, { command: undefined, stdin: false, stdout: true, stderr: true, tty: false });
    assert.equal(containerLogsPath(t, new URLSearchParams('follow=True&previous=False&timestamps=1')), '/containerLogs/ns/p/c?follow=true&timestamps=true');
  });

  it('finds the agent from the Node: InternalIP first, and the kubelet endpoint port (the default port when not positive)', () => {
    const status = (addresses: object[], port?: number) => ({ status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: port } } } });
    assert.deepEqual(agentEndpointOf(status([{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.1' }], 10250)), { host: '10.0.0.1', port: 10250 });
    assert.deepEqual(agentEndpointOf(status([{ type: 'Hostname', address: 'h' }], 1)), { host: 'h', port: 1 });
    assert.deepEqual(agentEndpointOf(status([{ type: 'InternalIP', address: '10.0.0.1' }], 0)), { host: '10.0.0.1', port: 10250 });
    // GetPreferredNodeAddress: a Hostname falls back to the kubernetes.io/hostname label.
    assert.deepEqual(agentEndpointOf({ metadata: { labels: { 'kubernetes.io/hostname': 'lh' } }, status: { addresses: [{ type: 'InternalDNS', address: 'd' }] } }), { host: 'lh', port: 10250 });
    assert.equal(agentEndpointOf(status([{ type: 'InternalDNS', address: 'd' }], 10250)), undefined);
    assert.equal(agentEndpointOf({}), undefined);
  });
});
