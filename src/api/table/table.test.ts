import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registry } from '../registry.js';
import { humanDuration } from './age.js';

test('humanDuration matches apimachinery', () => {
  const s = 1000, m = 60 * s, h = 60 * m, d = 24 * h;
  const cases: [number, string][] = [
    [-3 * s, '<invalid>'], [-1 * s, '0s'], [0, '0s'], [45 * s, '45s'], [119 * s, '119s'], [2 * m, '2m'], [3 * m + 20 * s, '3m20s'],
    [15 * m, '15m'], [179 * m, '179m'], [3 * h, '3h'], [5 * h + 10 * m, '5h10m'], [20 * h, '20h'], [47 * h, '47h'],
    [3 * d + 4 * h, '3d4h'], [3 * d, '3d'], [120 * d, '120d'], [2 * 365 * d + 30 * d, '2y30d'], [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

const now = new Date('2026-01-01T12:00:00Z');
const created = '2026-01-01T11:55:00Z';
const pods = registry.byResource('', 'v1', 'pods')!;
const basePod = (status: any, spec: any = {}, meta: any = {}): any => ({
  metadata: { name: 'p', namespace: 'd', creationTimestamp: created, ...meta },
  spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
  status,
});

test('pod rows follow printPod', async (t) => {
  const running = { running: { startedAt: created } };
  const cases: { name: string; pod: any; want: unknown[] }[] = [
    { name: 'pending, unscheduled', pod: basePod({ phase: 'Pending' }), want: ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'container creating', pod: basePod({ phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] }, { nodeName: 'n1' }), want: ['p', '0/1', 'ContainerCreating', '0', '5m', '<none>', 'n1', '<none>', '<none>'] },
    { name: 'running and ready', pod: basePod({ phase: 'Running', podIPs: [{ ip: '10.1.0.5' }], containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: running }] }, { nodeName: 'n1' }), want: ['p', '1/1', 'Running', '0', '5m', '10.1.0.5', 'n1', '<none>', '<none>'] },
    { name: 'crash loop with last restart age', pod: basePod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 4, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T11:59:00Z' } } }] }), want: ['p', '0/1', 'CrashLoopBackOff', '4 (60s ago)', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'completed', pod: basePod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), want: ['p', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'exit code without reason', pod: basePod({ phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 2 } } }] }), want: ['p', '0/1', 'ExitCode:2', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'init 0/1', pod: basePod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'PodInitializing' } } }] }, { initContainers: [{ name: 'i', image: 'x' }] }), want: ['p', '0/1', 'Init:0/1', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'init error', pod: basePod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', ready: false, restartCount: 1, image: 'x', imageID: '', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, { initContainers: [{ name: 'i', image: 'x' }] }), want: ['p', '0/1', 'Init:Error', '1', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'terminating', pod: basePod({ phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: running }] }, {}, { deletionTimestamp: '2026-01-01T11:59:30Z' }), want: ['p', '1/1', 'Terminating', '0', '5m', '<none>', '<none>', '<none>', '<none>'] },
    { name: 'readiness gates', pod: basePod({ phase: 'Running', conditions: [{ type: 'g1', status: 'True' }] }, { readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] }), want: ['p', '0/1', 'Running', '0', '5m', '<none>', '<none>', '<none>', '1/2'] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(pods.tableRow(c.pod, now), c.want));
});

test('other kinds print like kubectl', async (t) => {
  const meta = { name: 'x', namespace: 'd', creationTimestamp: created };
  const cases: { plural: string; group?: string; obj: any; want: unknown[] }[] = [
    { plural: 'deployments', group: 'apps', obj: { metadata: meta, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'a', image: 'nginx:1' }, { name: 'b', image: 'busybox' }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, want: ['x', '2/3', 3, 2, '5m', 'a,b', 'nginx:1,busybox', 'app=web'] },
    { plural: 'replicasets', group: 'apps', obj: { metadata: meta, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } }, status: { replicas: 2, readyReplicas: 1 } }, want: ['x', 2, 2, 1, '5m', 'a', 'nginx', 'app=web'] },
    { plural: 'services', obj: { metadata: meta, spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } }, want: ['x', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '5m', 'a=1,b=2'] },
    { plural: 'services', obj: { metadata: meta, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ port: 443, protocol: 'TCP' }] } }, want: ['x', 'LoadBalancer', '<none>', '<pending>', '443/TCP', '5m', '<none>'] },
    { plural: 'configmaps', obj: { metadata: meta, data: { a: '1', b: '2' } }, want: ['x', 2, '5m'] },
    { plural: 'secrets', obj: { metadata: meta, type: 'Opaque', data: { a: 'MQ==' } }, want: ['x', 'Opaque', 1, '5m'] },
    { plural: 'namespaces', obj: { metadata: { name: 'x', creationTimestamp: created }, status: { phase: 'Active' } }, want: ['x', 'Active', '5m'] },
    { plural: 'nodes', obj: { metadata: { name: 'n1', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://1.7' } } }, want: ['n1', 'Ready,SchedulingDisabled', 'control-plane', '5m', 'v1.32.0', '10.0.0.1', '<none>', 'Debian', '6.1', 'containerd://1.7'] },
    { plural: 'endpoints', obj: { metadata: meta, subsets: [{ addresses: [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }, { ip: '10.1.0.3' }, { ip: '10.1.0.4' }], ports: [{ port: 80 }] }] }, want: ['x', '10.1.0.1:80,10.1.0.2:80,10.1.0.3:80 + 1 more...', '5m'] },
    { plural: 'events', obj: { metadata: meta, involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{a}' }, reason: 'Pulled', message: ' done ', type: 'Normal', source: { component: 'kubelet', host: 'n1' }, firstTimestamp: created, lastTimestamp: '2026-01-01T11:59:00Z', count: 3 }, want: ['60s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{a}', 'kubelet, n1', 'done', '5m', 3, 'x'] },
    { plural: 'serviceaccounts', obj: { metadata: meta }, want: ['x', 0, '5m'] },
    { plural: 'leases', group: 'coordination.k8s.io', obj: { metadata: meta, spec: { holderIdentity: 'n1' } }, want: ['x', 'n1', '5m'] },
    { plural: 'endpointslices', group: 'discovery.k8s.io', obj: { metadata: meta, addressType: 'IPv4', ports: [{ port: 80 }], endpoints: [{ addresses: ['10.1.0.1'] }] }, want: ['x', 'IPv4', '80', '10.1.0.1', '5m'] },
  ];
  for (const c of cases) {
    await t.test(`${c.plural} ${c.want[1]}`, () => {
      const d = registry.byResource(c.group ?? '', 'v1', c.plural)!;
      const row = d.tableRow(c.obj, now);
      assert.equal(row.length, d.tableColumns.length);
      assert.deepEqual(row, c.want);
    });
  }
});
