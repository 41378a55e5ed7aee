/**
 * The Pod Security Standards checks, table-tested with upstream's own cases and wording
 * (staging/src/k8s.io/pod-security-admission/policy/check_*_test.go and the messages kubectl shows).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodSpec } from '../../../api/kinds/index.js';
import { evaluatePod, forbiddenDetail } from './evaluate.js';
import type { LevelVersion } from './policy.js';

const baseline: LevelVersion = { level: 'baseline', version: 'latest' };
const restricted: LevelVersion = { level: 'restricted', version: 'latest' };
const c = (name: string, extra: object = {}) => ({ name, image: 'i', ...extra });
const restrictedOk = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const spec = (s: object) => s as unknown as PodSpec;
const detail = (lv: LevelVersion, s: object, annotations?: Record<string, string>) => forbiddenDetail(evaluatePod(lv, { annotations }, spec(s)));

describe('pod security: baseline checks', () => {
  const cases: [string, object, string][] = [
    ['privileged', { containers: [c('a', { securityContext: { privileged: true } }), c('b', { securityContext: { privileged: true } })] },
      'privileged (containers "a", "b" must not set securityContext.privileged=true)'],
    ['host namespaces', { hostNetwork: true, hostIPC: true, hostPID: true, containers: [c('a')] }, 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)'],
    ['hostPath', { volumes: [{ name: 'v', hostPath: { path: '/' } }], containers: [c('a')] }, 'hostPath volumes (volume "v")'],
    ['hostPorts', { containers: [c('a', { ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 81, hostPort: 8080 }] })] },
      'hostPort (container "a" uses hostPorts 80, 8080)'],
    ['capabilities', { initContainers: [c('i', { securityContext: { capabilities: { add: ['NET_RAW', 'CHOWN', 'SYS_ADMIN'] } } })], containers: [c('a')] },
      'non-default capabilities (container "i" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)'],
    ['procMount', { containers: [c('a', { securityContext: { procMount: 'Unmasked' } })] }, 'procMount (container "a" must not set securityContext.procMount to "Unmasked")'],
    ['seLinux', { securityContext: { seLinuxOptions: { type: 'spc_t', user: 'u' } }, containers: [c('a')] },
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)'],
    ['seccomp Unconfined', { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [c('a', { securityContext: { seccompProfile: { type: 'Unconfined' } } })] },
      'seccompProfile (pod and container "a" must not set securityContext.seccompProfile.type to "Unconfined")'],
    ['sysctls', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] }, containers: [c('a')] },
      'forbidden sysctls (kernel.msgmax)'],
    ['probe host', { containers: [c('a', { livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } })] },
      'probe or lifecycle host (container "a" uses probe or lifecycle host "10.0.0.1")'],
    ['apparmor', { containers: [c('a', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] },
      'forbidden AppArmor profile (container "a" must not set AppArmor profile type to "Unconfined")'],
  ];
  for (const [name, s, want] of cases) it(name, () => assert.equal(detail(baseline, s), want));

  it('lists violations in upstream order and allows what baseline allows', () => {
    assert.equal(detail(baseline, { hostPID: true, volumes: [{ name: 'v', hostPath: { path: '/' } }], containers: [c('a', { securityContext: { privileged: true } })] }),
      'host namespaces (hostPID=true), privileged (container "a" must not set securityContext.privileged=true), hostPath volumes (volume "v")');
    assert.deepEqual(evaluatePod(baseline, {}, spec({ containers: [c('a', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] }, seccompProfile: { type: 'RuntimeDefault' } } })] })), []);
    assert.deepEqual(evaluatePod({ level: 'privileged', version: 'latest' }, {}, spec({ hostPID: true, containers: [c('a')] })), []);
  });

  it('skips checks newer than the requested version', () => {
    const s = { containers: [c('a', { readinessProbe: { tcpSocket: { host: 'x', port: 1 } } })] };
    assert.equal(detail({ level: 'baseline', version: 33 }, s), '');
    assert.match(detail({ level: 'baseline', version: 34 }, s), /^probe or lifecycle host/);
  });
});

describe('pod security: restricted checks', () => {
  it('a bare pod gets the four violations kubectl users know', () => {
    assert.equal(detail(restricted, { containers: [c('c')] }),
      'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
      + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
      + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
      + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  });
  it('a compliant pod passes; pod-level settings cover containers', () => {
    assert.deepEqual(evaluatePod(restricted, {}, spec({
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'e', emptyDir: {} }, { name: 'cm', configMap: { name: 'x' } }],
      containers: [c('a', { securityContext: { ...restrictedOk, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })],
    })), []);
  });
  const ok = (extra: object = {}) => ({ securityContext: { ...restrictedOk, ...extra } });
  const podOk = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  const cases: [string, object, string][] = [
    ['runAsNonRoot=false', { securityContext: { ...podOk, runAsNonRoot: false }, containers: [c('a', ok({ runAsNonRoot: false }))] },
      'runAsNonRoot != true (pod and container "a" must not set securityContext.runAsNonRoot=false)'],
    ['runAsUser=0', { securityContext: { ...podOk, runAsUser: 0 }, containers: [c('a', ok({ runAsUser: 0 })), c('b', ok())] },
      'runAsUser=0 (pod and container "a" must not set runAsUser=0)'],
    ['capabilities add', { securityContext: podOk, containers: [c('a', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] } } })] },
      'unrestricted capabilities (container "a" must not include "CHOWN" in securityContext.capabilities.add)'],
    ['volumes', { securityContext: podOk, volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'e', emptyDir: {} }], containers: [c('a', ok())] },
      'restricted volume types (volumes ["h"] have restricted types)'],
    ['seccomp per container', { securityContext: { runAsNonRoot: true }, containers: [c('a', ok({ seccompProfile: { type: 'Unconfined' } })), c('b', ok())] },
      'seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined")'],
  ];
  for (const [name, s, want] of cases) it(name, () => assert.equal(detail(restricted, s), want));
});
