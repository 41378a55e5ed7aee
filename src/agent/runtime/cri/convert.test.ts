import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerConfigToWire, containerStatusFromWire, imageFromWire, nanosToDate, sandboxConfigToWire, sandboxStatusFromWire } from './convert.js';

describe('CRI conversion', () => {
  it('converts int64 nanosecond strings to dates, "0" to unset', () => {
    const table: [string | undefined, number | undefined][] = [
      ['0', undefined],
      ['', undefined],
      [undefined, undefined],
      ['1700000000123456789', 1700000000123],
      ['1000000', 1],
    ];
    for (const [input, ms] of table) assert.equal(nanosToDate(input)?.getTime(), ms, String(input));
  });

  it('builds a sandbox config with pod or node network and per-container pid namespaces', () => {
    const base = { metadata: { name: 'p', namespace: 'n', uid: 'u', attempt: 2 } };
    const table: [boolean | undefined, string][] = [
      [undefined, 'POD'],
      [false, 'POD'],
      [true, 'NODE'],
    ];
    for (const [hostNetwork, mode] of table) {
      const w = sandboxConfigToWire({ ...base, hostNetwork, cgroupParent: '/bosun/podu' }) as {
        metadata: { attempt: number };
        linux: { cgroupParent: string; securityContext: { namespaceOptions: { network: string; pid: string } } };
      };
      assert.equal(w.linux.securityContext.namespaceOptions.network, mode);
      assert.equal(w.linux.securityContext.namespaceOptions.pid, 'CONTAINER');
      assert.equal(w.linux.cgroupParent, '/bosun/podu');
      assert.equal(w.metadata.attempt, 2);
    }
  });

  it('puts an ephemeral container in its target\'s PID namespace (pid TARGET + targetId), the others per container', () => {
    type Ns = { linux: { securityContext: { namespaceOptions: { network: string; pid: string; targetId?: string } } } };
    const target = containerConfigToWire({ metadata: { name: 'dbg', attempt: 0 }, image: 'img', securityContext: { pidTargetId: 'abc123' } }) as Ns;
    assert.deepEqual(target.linux.securityContext.namespaceOptions, { network: 'POD', pid: 'TARGET', ipc: 'POD', targetId: 'abc123' });
    const own = containerConfigToWire({ metadata: { name: 'app', attempt: 0 }, image: 'img' }) as Ns;
    assert.equal(own.linux.securityContext.namespaceOptions.pid, 'CONTAINER');
    assert.equal(own.linux.securityContext.namespaceOptions.targetId, undefined);
  });

  it('sends int64 resources and ids as decimal strings and optional ids as wrappers', () => {
    const w = containerConfigToWire({
      metadata: { name: 'c', attempt: 0 },
      image: 'img',
      resources: { memoryLimitInBytes: 2 ** 40, cpuQuota: 50_000, cpuPeriod: 100_000 },
      securityContext: { runAsUser: 0, readonlyRootfs: true },
      envs: [{ key: 'A', value: '1' }],
    }) as {
      image: { image: string };
      envs: { key: string; value: string }[];
      linux: { resources: Record<string, string>; securityContext: { runAsUser: { value: string } | null; runAsGroup: unknown; readonlyRootfs: boolean } };
    };
    assert.deepEqual(w.image, { image: 'img' });
    assert.equal(w.linux.resources.memoryLimitInBytes, '1099511627776');
    assert.equal(w.linux.resources.cpuQuota, '50000');
    assert.equal(w.linux.resources.cpuShares, '0');
    // runAsUser 0 is "root", which differs from "not set" (null).
    assert.deepEqual(w.linux.securityContext.runAsUser, { value: '0' });
    assert.equal(w.linux.securityContext.runAsGroup, null);
    assert.equal(w.linux.securityContext.readonlyRootfs, true);
    assert.deepEqual(w.envs, [{ key: 'A', value: '1' }]);
  });

  it('reads sandbox status with IPs and the netns path from verbose info', () => {
    const st = sandboxStatusFromWire({
      status: {
        id: 's',
        metadata: { name: 'p', uid: 'u', namespace: 'n', attempt: 0 },
        state: 'SANDBOX_READY',
        createdAt: '1700000000000000000',
        labels: { a: 'b' },
        annotations: {},
        network: { ip: '10.42.0.5', additionalIps: [{ ip: 'fd00::5' }] },
      },
      info: { info: JSON.stringify({ runtimeSpec: { linux: { namespaces: [{ type: 'pid' }, { type: 'network', path: '/var/run/netns/cni-1' }] } } }) },
    });
    assert.equal(st.ip, '10.42.0.5');
    assert.deepEqual(st.additionalIps, ['fd00::5']);
    assert.equal(st.netnsPath, '/var/run/netns/cni-1');
    assert.equal(st.createdAt.getTime(), 1700000000000);
    assert.equal(sandboxStatusFromWire({ status: { ...baseSandbox(), network: null }, info: {} }).netnsPath, undefined);
  });

  it('reads container status with exit details', () => {
    const st = containerStatusFromWire(
      {
        id: 'c',
        metadata: { name: 'web', attempt: 3 },
        state: 'CONTAINER_EXITED',
        createdAt: '1000000000',
        startedAt: '2000000000',
        finishedAt: '3000000000',
        exitCode: 137,
        image: { image: 'img' },
        imageRef: 'sha256:x',
        reason: 'OOMKilled',
        message: '',
        labels: {},
        annotations: {},
        mounts: [],
        logPath: '/l/web/3.log',
      },
      'sb',
    );
    assert.deepEqual(
      { state: st.state, exitCode: st.exitCode, reason: st.reason, attempt: st.metadata.attempt, sandbox: st.podSandboxId, finished: st.finishedAt?.getTime() },
      { state: 'CONTAINER_EXITED', exitCode: 137, reason: 'OOMKilled', attempt: 3, sandbox: 'sb', finished: 3000 },
    );
  });

  it('reads images, uid only when the image names one', () => {
    const base = { id: 'sha256:a', repoTags: ['x:1'], repoDigests: [], size: '1234', username: '', pinned: false };
    assert.deepEqual(imageFromWire({ ...base, uid: null }), { id: 'sha256:a', repoTags: ['x:1'], repoDigests: [], size: 1234, pinned: false });
    assert.equal(imageFromWire({ ...base, uid: { value: '1000' } }).uid, 1000);
  });
});

function baseSandbox() {
  return { id: 's', metadata: null, state: 'SANDBOX_NOTREADY', createdAt: '0', labels: {}, annotations: {} };
}
