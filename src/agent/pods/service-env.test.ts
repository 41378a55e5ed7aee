import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { ContainerConfigError } from '../downward-api/field-values.js';
import { containerEnv } from './env.js';
import { fromServices, serviceEnvVars, type ServiceEnvSource } from './service-env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: ServiceEnvSource['ports']): ServiceEnvSource => ({ namespace, name, clusterIP, ports });

describe('fromServices (upstream pkg/kubelet/envvars/envvars_test.go TestFromServices)', () => {
  it('names, first-port and named-port variables, Docker link variables; None and empty ClusterIP skipped', () => {
    const got = fromServices([
      svc('', 'foo-bar', '1.2.3.4', [{ port: 8080, protocol: 'TCP' }]),
      svc('', 'abc-123', '5.6.7.8', [{ name: 'u-d-p', port: 8081, protocol: 'UDP' }, { name: 't-c-p', port: 8081, protocol: 'TCP' }]),
      svc('', 'q-u-u-x', '9.8.7.6', [{ port: 8082, protocol: 'TCP' }, { name: '8083', port: 8083, protocol: 'TCP' }]),
      svc('', 'svrc-clusterip-none', 'None', [{ port: 8082, protocol: 'TCP' }]),
      svc('', 'svrc-clusterip-empty', '', [{ port: 8082, protocol: 'TCP' }]),
    ]);
    const link = (p: string, proto: string, ip: string, port: number) => [
      [`${p}_PORT_${port}_${proto.toUpperCase()}`, `${proto}://${ip}:${port}`], [`${p}_PORT_${port}_${proto.toUpperCase()}_PROTO`, proto],
      [`${p}_PORT_${port}_${proto.toUpperCase()}_PORT`, String(port)], [`${p}_PORT_${port}_${proto.toUpperCase()}_ADDR`, ip],
    ];
    const want = [
      ['FOO_BAR_SERVICE_HOST', '1.2.3.4'], ['FOO_BAR_SERVICE_PORT', '8080'], ['FOO_BAR_PORT', 'tcp://1.2.3.4:8080'], ...link('FOO_BAR', 'tcp', '1.2.3.4', 8080),
      ['ABC_123_SERVICE_HOST', '5.6.7.8'], ['ABC_123_SERVICE_PORT', '8081'], ['ABC_123_SERVICE_PORT_U_D_P', '8081'], ['ABC_123_SERVICE_PORT_T_C_P', '8081'],
      ['ABC_123_PORT', 'udp://5.6.7.8:8081'], ...link('ABC_123', 'udp', '5.6.7.8', 8081), ...link('ABC_123', 'tcp', '5.6.7.8', 8081),
      ['Q_U_U_X_SERVICE_HOST', '9.8.7.6'], ['Q_U_U_X_SERVICE_PORT', '8082'], ['Q_U_U_X_SERVICE_PORT_8083', '8083'],
      ['Q_U_U_X_PORT', 'tcp://9.8.7.6:8082'], ...link('Q_U_U_X', 'tcp', '9.8.7.6', 8082), ...link('Q_U_U_X', 'tcp', '9.8.7.6', 8083),
    ];
    assert.deepEqual(got.map((v) => [v.name, v.value]), want);
    assert.equal(want.length, 32);
  });

  it('an IPv6 ClusterIP is bracketed in URLs (net.JoinHostPort)', () => {
    const got = fromServices([svc('', 'v6', 'fd00::1', [{ port: 80 }])]);
    assert.equal(got.find((v) => v.name === 'V6_PORT')?.value, 'tcp://[fd00::1]:80');
  });
});

describe('serviceEnvVars (upstream kubelet_pods.go getServiceEnvVarMap)', () => {
  const services = [
    svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('default', 'other', '10.96.0.9', [{ port: 80 }]),
    svc('app', 'web-svc', '10.96.0.7', [{ port: 8080 }]),
    svc('app', 'headless', 'None', [{ port: 80 }]),
    svc('app', 'ext', '', [{ port: 80 }]),
  ];
  const names = (ns: string, links: boolean) => serviceEnvVars(ns, links, services).map((v) => v.name);

  it('master service always; the namespace\'s Services with a ClusterIP when links are on', () => {
    const on = names('app', true);
    for (const n of ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBERNETES_SERVICE_PORT_HTTPS', 'KUBERNETES_PORT', 'KUBERNETES_PORT_443_TCP',
      'KUBERNETES_PORT_443_TCP_PROTO', 'KUBERNETES_PORT_443_TCP_PORT', 'KUBERNETES_PORT_443_TCP_ADDR', 'WEB_SVC_SERVICE_HOST']) assert.ok(on.includes(n), n);
    assert.ok(!on.some((n) => n.startsWith('OTHER_') || n.startsWith('HEADLESS_') || n.startsWith('EXT_')), on.join(','));
  });

  it('enableServiceLinks false keeps only the master service', () => {
    const off = names('app', false);
    assert.equal(off.length, 8);
    assert.ok(off.every((n) => n.startsWith('KUBERNETES_')), off.join(','));
    assert.ok(names('default', true).includes('OTHER_SERVICE_HOST'));
    assert.ok(!names('default', false).includes('OTHER_SERVICE_HOST'));
  });
});

describe('containerEnv with services', () => {
  const pod = { metadata: { name: 'p', namespace: 'app' }, spec: { containers: [] } } as unknown as Pod;
  const base = { pod, podIP: '10.0.0.5', hostIP: '192.168.0.1', allocatable: { cpu: '1', memory: '1Gi' }, lookup: { configMap: () => undefined, secret: () => undefined } };
  const kube = [svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }])];

  it('service variables are the base; the container\'s env wins and may reference them', () => {
    const env = containerEnv({ name: 'c', image: 'i', env: [{ name: 'KUBERNETES_SERVICE_PORT', value: '6443' }, { name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST)' }] },
      { ...base, services: () => kube });
    const m = new Map(env.map((e) => [e.key, e.value]));
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(m.get('KUBERNETES_SERVICE_PORT'), '6443');
    assert.equal(m.get('API'), 'https://10.96.0.1');
  });

  it('before the first list of Services, the container is not created (CreateContainerConfigError)', () => {
    assert.throws(() => containerEnv({ name: 'c', image: 'i' }, { ...base, services: () => undefined }), ContainerConfigError);
  });
});
