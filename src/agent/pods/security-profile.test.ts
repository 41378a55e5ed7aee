/** The kubelet's runAsNonRoot and seccomp derivations (pkg/kubelet/kuberuntime/security_context_others.go, helpers.go), pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from '../../api/kinds/index.js';
import { containerConfigToWire, sandboxConfigToWire } from '../runtime/cri/convert.js';
import { seccompProfile, verifyRunAsNonRoot } from './security-profile.js';

const pod = (spec: object): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], ...spec } } as unknown as Pod);
const c = (securityContext?: object): Container => ({ name: 'c', image: 'i', securityContext } as Container);
const who = '(pod: "p_ns(u1)", container: c)';

describe('runAsNonRoot against the image user', () => {
  const cases: [string, Pod, Container, { uid?: number; username?: string }, string | null][] = [
    ['root image', pod({ securityContext: { runAsNonRoot: true } }), c(), { uid: 0 }, `container has runAsNonRoot and image will run as root ${who}`],
    ['image without a user is root', pod({}), c({ runAsNonRoot: true }), {}, `container has runAsNonRoot and image will run as root ${who}`],
    ['named user', pod({ securityContext: { runAsNonRoot: true } }), c(), { username: 'app' },
      `container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${who}`],
    ['runAsUser 0', pod({ securityContext: { runAsNonRoot: true, runAsUser: 0 } }), c(), { uid: 1000 }, `container's runAsUser breaks non-root policy ${who}`],
    ['runAsUser wins over a root image', pod({ securityContext: { runAsNonRoot: true } }), c({ runAsUser: 1000 }), { uid: 0 }, null],
    ['non-root image uid', pod({ securityContext: { runAsNonRoot: true } }), c(), { uid: 65534 }, null],
    ['container false overrides pod true', pod({ securityContext: { runAsNonRoot: true } }), c({ runAsNonRoot: false }), { uid: 0 }, null],
  ];
  for (const [name, p, ctr, image, want] of cases) {
    it(name, () => {
      if (want === null) assert.doesNotThrow(() => verifyRunAsNonRoot(p, ctr, image));
      else assert.throws(() => verifyRunAsNonRoot(p, ctr, image), { name: 'ContainerConfigError', message: want });
    });
  }
});

describe('seccomp profile to CRI', () => {
  it('container over pod, Localhost under the seccomp dir, bad paths refused', () => {
    const p = pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
    assert.deepEqual(seccompProfile(p, c(), '/d/seccomp'), { type: 'RuntimeDefault' });
    assert.deepEqual(seccompProfile(p, c({ seccompProfile: { type: 'Localhost', localhostProfile: 'a/b.json' } }), '/d/seccomp'), { type: 'Localhost', localhostRef: '/d/seccomp/a/b.json' });
    assert.equal(seccompProfile(pod({}), c(), '/d'), undefined);
    assert.throws(() => seccompProfile(p, c({ seccompProfile: { type: 'Localhost', localhostProfile: '../../etc/x' } }), '/d'), /relative path/);
  });
  it('reaches the CRI messages; none is Unconfined; host namespaces and privileged reach the sandbox', () => {
    const sb = { metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 0 }, hostPID: true, privileged: true, seccomp: { type: 'RuntimeDefault' as const } };
    const wsb = sandboxConfigToWire(sb) as { linux: { securityContext: object } };
    assert.deepEqual(wsb.linux.securityContext, { namespaceOptions: { network: 'POD', pid: 'NODE', ipc: 'POD' }, privileged: true, seccomp: { profileType: 'RuntimeDefault', localhostRef: '' } });
    const wc = (sc: object) => (containerConfigToWire({ metadata: { name: 'c', attempt: 0 }, image: 'i', securityContext: sc }, sb) as { linux: { securityContext: Record<string, unknown> } }).linux.securityContext;
    assert.deepEqual(wc({ seccomp: { type: 'Localhost', localhostRef: '/x.json' } }).seccomp, { profileType: 'Localhost', localhostRef: '/x.json' });
    assert.deepEqual(wc({}).seccomp, { profileType: 'Unconfined', localhostRef: '' });
    assert.deepEqual(wc({}).namespaceOptions, { network: 'POD', pid: 'NODE', ipc: 'POD' });
  });
});
