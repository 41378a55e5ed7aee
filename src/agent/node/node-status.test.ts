import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MachineInfo } from './machine-info.js';
import { goArch, osImage } from './machine-info.js';
import { allocatable, capacity, nodeConditions, nodeStatus } from './node-status.js';

const m: MachineInfo = {
  cpus: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 100 * 1024 ** 3, hostname: 'h', internalIP: '192.168.1.5', kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', machineID: 'm', systemUUID: 's', bootID: 'b',
};
const healthy = { runtimeReady: true, memoryPressure: false, diskPressure: false, pidPressure: false };

describe('node status', () => {
  it('capacity and allocatable (100Mi memory and 10% disk held back for eviction)', () => {
    assert.deepEqual(capacity(m), { cpu: '2', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '104857600Ki' });
    assert.deepEqual(allocatable(m), { cpu: '2', memory: '4091904Ki', pods: '110', 'ephemeral-storage': String(Math.floor(100 * 1024 ** 3 * 0.9)) });
  });
  it('conditions with kubelet reasons; transition time kept while the status holds', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:00:10Z');
    const c1 = nodeConditions(undefined, healthy, t1);
    assert.deepEqual(c1.map((c) => [c.type, c.status, c.reason]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady'],
    ]);
    const c2 = nodeConditions(c1, { ...healthy, runtimeReady: false, runtimeMessage: 'connection refused' }, t2);
    const ready = c2.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.message, 'container runtime is down: connection refused');
    assert.equal(ready.lastTransitionTime, '2026-01-01T00:00:10Z');
    assert.equal(c2.find((c) => c.type === 'MemoryPressure')!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(c2.find((c) => c.type === 'MemoryPressure')!.lastHeartbeatTime, '2026-01-01T00:00:10Z');
  });
  it('node info and addresses', () => {
    const s = nodeStatus(m, 'containerd://1.6.20', undefined, healthy, new Date(), 10250);
    assert.equal(s.nodeInfo?.kubeletVersion, 'v1.32.0-bosun');
    assert.equal(s.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20');
    assert.deepEqual(s.addresses, [{ type: 'InternalIP', address: '192.168.1.5' }, { type: 'Hostname', address: 'h' }]);
    assert.equal(s.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  });
  it('os-release and arch parsing', () => {
    assert.equal(osImage('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(goArch('x64'), 'amd64');
  });
});
