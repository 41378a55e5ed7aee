import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Container, Pod, Secret } from '../../api/kinds/index.js';
import { containerHash, securityContext } from './container-config.js';
import { etcHostsContent } from './etc-hosts.js';
import { credentialsFor, registryHost } from './image-puller.js';
import { linuxResources, milliCPUToQuota, milliCPUToShares } from './resources.js';
import { podResourceConfig } from './pod-cgroup.js';
import { needsSync } from './pod-manager.js';
import { podDns, sandboxConfig, type SandboxEnv } from './sandbox-config.js';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<Pod['metadata']> = {}): Pod =>
  ({ metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', ...meta }, spec: { containers: [{ name: 'app', image: 'i' }], ...spec } }) as Pod;

describe('resources (kubelet cgroup v1 conversions)', () => {
  const shares: [number, number][] = [[0, 2], [1, 2], [250, 256], [1000, 1024], [2500, 2560]];
  for (const [m, want] of shares) it(`cpu ${m}m -> ${want} shares`, () => assert.equal(milliCPUToShares(m), want));
  const quotas: [number, number][] = [[0, 0], [5, 1000], [500, 50_000], [1500, 150_000]];
  for (const [m, want] of quotas) it(`cpu limit ${m}m -> quota ${want}`, () => assert.equal(milliCPUToQuota(m), want));

  it('requests and limits become shares, quota, memory limit; oom_score_adj by QoS', () => {
    const c = { name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } } as Container;
    const r = linuxResources(pod({ containers: [c] }), c, 1024 * 1024 * 1024);
    assert.deepEqual(r, { cpuShares: 256, cpuPeriod: 100_000, cpuQuota: 50_000, memoryLimitInBytes: 128 * 1024 * 1024, oomScoreAdj: 938 });
    const g = { name: 'g', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } as Container;
    assert.equal(linuxResources(pod({ containers: [g] }), g, 4 << 30).oomScoreAdj, -997);
    const b = { name: 'b' } as Container;
    assert.deepEqual(linuxResources(pod({ containers: [b] }), b, 4 << 30), { cpuShares: 2, oomScoreAdj: 1000 });
  });
});

describe('pod cgroup resources (ResourceConfigForPod)', () => {
  const c = (name: string, requests: Record<string, string>, limits: Record<string, string>) => ({ name, image: 'i', resources: { requests, limits } }) as Container;
  const cases: { name: string; spec: Partial<NonNullable<Pod['spec']>>; want: ReturnType<typeof podResourceConfig> }[] = [
    { name: 'best effort', spec: { containers: [{ name: 'a', image: 'i' }] }, want: { cpuShares: 2 } },
    {
      name: 'all limited: sums', spec: { containers: [c('a', { cpu: '100m' }, { cpu: '200m', memory: '64Mi' }), c('b', { cpu: '300m' }, { cpu: '300m', memory: '32Mi' })] },
      want: { cpuShares: 409, cpuQuota: 50_000, memoryLimit: 96 * 1024 * 1024 },
    },
    { name: 'one unlimited: no pod limit', spec: { containers: [c('a', { cpu: '100m' }, { memory: '64Mi' }), { name: 'b', image: 'i' }] }, want: { cpuShares: 102 } },
    {
      name: 'init container larger than the sum', spec: { initContainers: [c('i', {}, { cpu: '1', memory: '1Gi' })], containers: [c('a', {}, { cpu: '100m', memory: '64Mi' })] },
      want: { cpuShares: 1024, cpuQuota: 100_000, memoryLimit: 1024 ** 3 },
    },
  ];
  for (const t of cases) it(t.name, () => assert.deepEqual(podResourceConfig(pod(t.spec)), t.want));
});

describe('sandbox config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bza-dns-'));
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 1.1.1.1\nsearch corp.example\noptions edns0\n');
  const env: SandboxEnv = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', cgroupRoot: '/bosun', logsDir: '/var/log/pods', resolvConf: resolv };

  it('ClusterFirst: cluster DNS, namespace search path, ndots:5', () => {
    assert.deepEqual(podDns(pod(), env), {
      servers: ['10.96.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'],
    });
  });
  it('Default (and ClusterFirst with hostNetwork) use the host resolv.conf', () => {
    assert.deepEqual(podDns(pod({ dnsPolicy: 'Default' }), env), { servers: ['1.1.1.1'], searches: ['corp.example'], options: ['edns0'] });
    assert.deepEqual(podDns(pod({ hostNetwork: true }), env)?.servers, ['1.1.1.1']);
  });
  it('None with dnsConfig', () => {
    const p = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } });
    assert.deepEqual(podDns(p, env), { servers: ['9.9.9.9'], searches: ['a.b'], options: ['ndots:2', 'rotate'] });
  });
  it('ClusterFirst without cluster DNS falls back to the host', () => {
    assert.deepEqual(podDns(pod(), { ...env, clusterDNS: [] })?.servers, ['1.1.1.1']);
  });
  it('hostname, host ports, cgroup parent, labels, log directory', () => {
    const p = pod({ containers: [{ name: 'app', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }] }, { labels: { app: 'web' } });
    const sc = sandboxConfig(p, 2, env);
    assert.equal(sc.hostname, 'web-1');
    assert.deepEqual(sc.metadata, { uid: 'uid-1', name: 'web-1', namespace: 'shop', attempt: 2 });
    assert.deepEqual(sc.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]);
    assert.equal(sc.cgroupParent, '/bosun/poduid-1');
    assert.equal(sc.logDirectory, '/var/log/pods/shop_web-1_uid-1');
    assert.equal(sc.labels?.app, 'web');
    assert.equal(sc.labels?.['io.kubernetes.pod.uid'], 'uid-1');
    assert.equal(sc.labels?.['bosun.io/managed'], 'true');
  });
  it('IPv6 is off on the pod\'s eth0 (the pod network and NetworkPolicy are IPv4 only), not for hostNetwork; a pod sysctl of that name wins', () => {
    const off = { 'net.ipv6.conf.eth0.disable_ipv6': '1' };
    assert.deepEqual(sandboxConfig(pod(), 1, env).sysctls, off);
    assert.equal(sandboxConfig(pod({ hostNetwork: true }), 1, env).sysctls, undefined);
    const own = sandboxConfig(pod({ securityContext: { sysctls: [{ name: 'net.ipv6.conf.eth0.disable_ipv6', value: '0' }, { name: 'kernel.shm_rmid_forced', value: '1' }] } }), 1, env);
    assert.deepEqual(own.sysctls, { 'net.ipv6.conf.eth0.disable_ipv6': '0', 'kernel.shm_rmid_forced': '1' });
  });
  it('cleans up', () => rmSync(dir, { recursive: true }));
});

describe('etc-hosts, security context, spec hash', () => {
  it('etc-hosts names the pod (with subdomain FQDN) and adds hostAliases', () => {
    const text = etcHostsContent(pod({ subdomain: 'db', hostAliases: [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }] }), '10.1.0.7', 'cluster.local');
    assert.match(text, /^10\.1\.0\.7\tweb-1\.db\.shop\.svc\.cluster\.local\tweb-1$/m);
    assert.match(text, /^1\.2\.3\.4\tfoo\tbar$/m);
    assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  });
  it('container securityContext wins over the pod one', () => {
    const p = pod({ securityContext: { runAsUser: 1000, runAsGroup: 2000, fsGroup: 3000 } });
    const c = { name: 'a', securityContext: { runAsUser: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } as Container;
    assert.deepEqual(securityContext(p, c), { runAsUser: 0, runAsGroup: 2000, readonlyRootfs: true, noNewPrivs: true, capabilities: { add: undefined, drop: ['ALL'] }, supplementalGroups: [3000] });
  });
  it('the spec hash changes with the image', () => {
    assert.notEqual(containerHash({ name: 'a', image: 'x:1' } as Container), containerHash({ name: 'a', image: 'x:2' } as Container));
  });
});

describe('image pull credentials', () => {
  const hosts: [string, string][] = [['busybox', 'docker.io'], ['library/busybox:1', 'docker.io'], ['ghcr.io/a/b:1', 'ghcr.io'], ['localhost:5000/x', 'localhost:5000'], ['localhost/x', 'localhost']];
  for (const [img, want] of hosts) it(`${img} -> ${want}`, () => assert.equal(registryHost(img), want));

  const secret = (type: string, key: string, body: unknown): Secret =>
    ({ type, data: { [key]: Buffer.from(JSON.stringify(body)).toString('base64') } }) as unknown as Secret;
  it('dockerconfigjson auths, matched by host; auth field decoded', () => {
    const s = secret('kubernetes.io/dockerconfigjson', '.dockerconfigjson', {
      auths: { 'registry.example:5000': { auth: Buffer.from('u:p:w').toString('base64') }, 'https://index.docker.io/v1/': { username: 'hub', password: 'pw' } },
    });
    assert.deepEqual(credentialsFor('registry.example:5000/app:1', [s]), { username: 'u', password: 'p:w', serverAddress: 'registry.example:5000' });
    assert.deepEqual(credentialsFor('nginx', [s]), { username: 'hub', password: 'pw', serverAddress: 'https://index.docker.io/v1/' });
    assert.equal(credentialsFor('other.example/app', [s]), undefined);
  });
  it('legacy dockercfg', () => {
    const s = secret('kubernetes.io/dockercfg', '.dockercfg', { 'reg.example': { username: 'a', password: 'b' } });
    assert.deepEqual(credentialsFor('reg.example/x:1', [s]), { username: 'a', password: 'b', serverAddress: 'reg.example' });
  });
});

describe('needsSync (status-only updates do not sync)', () => {
  const base = pod({ readinessGates: [{ conditionType: 'g' }] });
  const withStatus = (s: Pod['status']) => ({ ...base, status: s }) as Pod;
  const cases: [string, Pod, Pod, boolean][] = [
    ['status only', withStatus({ phase: 'Pending' }), withStatus({ phase: 'Running' }), false],
    ['deletion', base, { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, true],
    ['image change', base, { ...base, spec: { ...base.spec!, containers: [{ name: 'app', image: 'j' }] } }, true],
    ['readiness gate condition', withStatus({ conditions: [] }), withStatus({ conditions: [{ type: 'g', status: 'True' }] }), true],
    ['other condition', withStatus({ conditions: [] }), withStatus({ conditions: [{ type: 'x', status: 'True' }] }), false],
  ];
  for (const [name, a, b, want] of cases) it(name, () => assert.equal(needsSync(a, b), want));
});
