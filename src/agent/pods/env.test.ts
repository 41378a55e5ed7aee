import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from '../../api/kinds/index.js';
import { ContainerConfigError, resourceFieldValue } from '../downward-api/field-values.js';
import { containerEnv, expandVars, type EnvContext } from './env.js';

const pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: '1' } },
  spec: { nodeName: 'n1', containers: [] },
} as unknown as Pod;

const ctx: EnvContext = {
  pod, podIP: '10.0.0.5', hostIP: '192.168.0.1', allocatable: { cpu: '2', memory: '2048Mi' },
  lookup: {
    configMap: (ns, name) => (ns === 'ns' && name === 'cm' ? ({ data: { K: 'cv', X: 'from-cm' } } as unknown as ConfigMap) : undefined),
    secret: (ns, name) => (ns === 'ns' && name === 's' ? ({ data: { S: Buffer.from('sv').toString('base64') } } as unknown as Secret) : undefined),
  },
};

describe('expandVars (kubelet expansion)', () => {
  const cases: [string, string][] = [
    ['$(A)', 'a'], ['x-$(A)-$(B)', 'x-a-b'], ['$$(A)', '$(A)'], ['$(MISSING)', '$(MISSING)'], ['$(A', '$(A'], ['a$b', 'a$b'], ['$', '$'],
  ];
  for (const [input, want] of cases) it(`${input} -> ${want}`, () => assert.equal(expandVars(input, { A: 'a', B: 'b' }), want));
});

describe('containerEnv', () => {
  it('envFrom then env, later wins, with references, field and resource refs', () => {
    const c = {
      name: 'c', image: 'i',
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'cm' } }, { prefix: 'S_', secretRef: { name: 's' } }],
      env: [
        { name: 'X', value: 'env-wins' },
        { name: 'REF', value: '$(K)/$(X)' },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['a']" } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPULIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'SEC', valueFrom: { secretKeyRef: { name: 's', key: 'S' } } },
      ],
    } as Container;
    assert.deepEqual(Object.fromEntries(containerEnv(c, ctx).map((e) => [e.key, e.value])), {
      K: 'cv', X: 'env-wins', S_S: 'sv', REF: 'cv/env-wins', IP: '10.0.0.5', NODE: 'n1', LBL: '1', MEM: '64', CPU: '250', CPULIM: '2', SEC: 'sv',
    });
  });

  const errors: [string, Partial<Container>, string][] = [
    ['missing configmap', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found'],
    ['missing key', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nokey' } } }] }, "couldn't find key nokey in ConfigMap ns/cm"],
    ['missing secret', { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found'],
    ['missing envFrom secret', { envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
  ];
  for (const [name, c, msg] of errors) {
    it(`error: ${name}`, () => assert.throws(() => containerEnv({ name: 'c', ...c } as Container, ctx), (e: unknown) => e instanceof ContainerConfigError && e.message === msg));
  }

  it('optional references that are missing are skipped', () => {
    const c = { name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }], envFrom: [{ secretRef: { name: 'nope', optional: true } }] } as Container;
    assert.deepEqual(containerEnv(c, ctx), []);
  });

  it('resourceFieldRef rounds up', () => {
    assert.equal(resourceFieldValue({ name: 'c', resources: { limits: { cpu: '1500m' } } } as Container, 'limits.cpu', '1', ctx.allocatable), '2');
  });
});
