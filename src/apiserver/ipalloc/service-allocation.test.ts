/**
 * Service allocation through the real storage of an in-process API server: ClusterIP and NodePort
 * allocation, requested values, 422 on conflicts, immutability, release on delete, headless and
 * ExternalName, survival across a restart, and the `kubernetes` Service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { startTestServer } from '../../testing/test-cluster.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { isStatusError } from '../storage/errors.js';

const ctx = (dryRun = false): RequestContext => ({ user: 'test', groups: ['system:masters'], dryRun, fieldValidation: 'Strict', warnings: [] });

function svc(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } };
}

async function rejects422(p: Promise<unknown>, field: string, text: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStatusError(err, 422), `expected 422, got ${String(err)}`);
    assert.equal(err.status.details?.causes?.[0]?.field, field);
    assert.match(err.message, text);
    return true;
  });
}

describe('service allocation', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let services: ResourceStorage;
  before(async () => {
    server = await startTestServer();
    services = server.server.storage('', 'v1', 'services')!;
  });
  after(() => server.stop());

  /** The first port from `from` that no Service holds (earlier tests hold random ones: 50 parallel creates). */
  async function freeNodePort(from: number): Promise<number> {
    const held = new Set<number>();
    for (const s of (await services.list(ctx(), 'default', {})).items) for (const p of s.spec?.ports ?? []) if (p.nodePort) held.add(p.nodePort);
    let port = from;
    while (held.has(port)) port++;
    return port;
  }

  it('gives a ClusterIP from 10.43.0.0/16, unique per Service', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const out = await services.create(ctx(), 'default', svc(`a${i}`, {}));
      const ip = out.spec.clusterIP as string;
      assert.match(ip, /^10\.43\.\d+\.\d+$/);
      assert.notEqual(ip, '10.43.0.0');
      assert.deepEqual(out.spec.clusterIPs, [ip]);
      assert.ok(!seen.has(ip), `duplicate ${ip}`);
      seen.add(ip);
    }
  });

  it('parallel creates never share an address', async () => {
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => services.create(ctx(), 'default', svc(`par${i}`, { type: 'NodePort' }))));
    assert.equal(new Set(made.map((o) => o.spec.clusterIP)).size, 50);
    assert.equal(new Set(made.map((o) => o.spec.ports[0].nodePort)).size, 50);
  });

  it('ExternalName to ClusterIP allocates an address; back to ExternalName drops it', async () => {
    const e = await services.create(ctx(), 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'flip' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    const c = await services.update(ctx(), 'default', 'flip', { ...e, spec: { type: 'ClusterIP', selector: { app: 'flip' }, ports: [{ port: 80 }] } });
    assert.match(c.spec.clusterIP, /^10\.43\./);
    const back = await services.update(ctx(), 'default', 'flip', { ...c, spec: { type: 'ExternalName', externalName: 'example.org' } });
    assert.equal(back.spec.clusterIP, undefined);
  });

  it('honours a requested ClusterIP and rejects it when taken or out of range', async () => {
    const out = await services.create(ctx(), 'default', svc('req', { clusterIP: '10.43.7.7' }));
    assert.equal(out.spec.clusterIP, '10.43.7.7');
    await rejects422(services.create(ctx(), 'default', svc('req2', { clusterIP: '10.43.7.7' })), 'spec.clusterIPs', /provided IP is already allocated/);
    await rejects422(services.create(ctx(), 'default', svc('req3', { clusterIP: '10.99.0.1' })), 'spec.clusterIPs', /not in the valid range. The range of valid IPs is 10.43.0.0\/16/);
  });

  it('keeps the ClusterIP immutable and carries it when an update omits it', async () => {
    const out = await services.create(ctx(), 'default', svc('imm', {}));
    const ip = out.spec.clusterIP;
    const put = { ...out, spec: { ...out.spec, clusterIP: undefined, clusterIPs: undefined, selector: { app: 'other' } } };
    const updated = await services.update(ctx(), 'default', 'imm', put);
    assert.equal(updated.spec.clusterIP, ip);
    await rejects422(services.update(ctx(), 'default', 'imm', { ...updated, spec: { ...updated.spec, clusterIP: '10.43.9.9', clusterIPs: ['10.43.9.9'] } }),
      'spec.clusterIPs[0]', /may not change once set/);
  });

  it('releases the ClusterIP on delete so it can be requested again', async () => {
    await services.create(ctx(), 'default', svc('rel', { clusterIP: '10.43.8.8' }));
    await services.delete(ctx(), 'default', 'rel', {});
    const again = await services.create(ctx(), 'default', svc('rel2', { clusterIP: '10.43.8.8' }));
    assert.equal(again.spec.clusterIP, '10.43.8.8');
  });

  it('headless Services keep clusterIP None; ExternalName gets none', async () => {
    const h = await services.create(ctx(), 'default', svc('headless', { clusterIP: 'None' }));
    assert.equal(h.spec.clusterIP, 'None');
    assert.deepEqual(h.spec.clusterIPs, ['None']);
    const e = await services.create(ctx(), 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(e.spec.clusterIP, undefined);
  });

  it('allocates NodePorts in 30000-32767, honours requests, rejects conflicts naming the port field', async () => {
    const a = await services.create(ctx(), 'default', svc('np1', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
    const [p0, p1] = a.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    for (const p of [p0, p1]) assert.ok(p >= 30000 && p <= 32767, String(p));
    assert.notEqual(p0, p1);
    const want = await freeNodePort(31234);
    const b = await services.create(ctx(), 'default', svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: want }] }));
    assert.equal(b.spec.ports[0].nodePort, want);
    await rejects422(services.create(ctx(), 'default', svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: want }] })),
      'spec.ports[0].nodePort', /provided port is already allocated/);
    await rejects422(services.create(ctx(), 'default', svc('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: 20000 }] })),
      'spec.ports[0].nodePort', /not in the valid range. The range of valid ports is 30000-32767/);
    // The failed creates reserved nothing: the ClusterIP one could not take was not leaked either.
    await services.delete(ctx(), 'default', 'np2', {});
    const c = await services.create(ctx(), 'default', svc('np5', { type: 'NodePort', ports: [{ port: 80, nodePort: want }] }));
    assert.equal(c.spec.ports[0].nodePort, want);
  });

  it('a dry run reserves nothing', async () => {
    const port = await freeNodePort(30555);
    const dry = await services.create(ctx(true), 'default', svc('dry', { type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ port: 80, nodePort: port }] }));
    assert.equal(dry.spec.clusterIP, '10.43.5.5');
    const real = await services.create(ctx(), 'default', svc('wet', { type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ port: 80, nodePort: port }] }));
    assert.equal(real.spec.ports[0].nodePort, port);
  });

  it('a type change to NodePort allocates ports; LoadBalancer Local gets a healthCheckNodePort', async () => {
    const out = await services.create(ctx(), 'default', svc('morph', {}));
    const np = await services.update(ctx(), 'default', 'morph', { ...out, spec: { ...out.spec, type: 'NodePort' } });
    assert.ok(np.spec.ports[0].nodePort >= 30000);
    const lb = await services.create(ctx(), 'default', svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    assert.ok(lb.spec.ports[0].nodePort >= 30000);
    assert.ok(lb.spec.healthCheckNodePort >= 30000);
    assert.notEqual(lb.spec.healthCheckNodePort, lb.spec.ports[0].nodePort);
  });

  it('creates the kubernetes Service at 10.43.0.1:443 with endpoints at the API server, and kube-dns at 10.43.0.10', async () => {
    const k = await services.get(ctx(), 'default', 'kubernetes');
    assert.equal(k.spec.clusterIP, '10.43.0.1');
    assert.equal(k.spec.ports[0].port, 443);
    assert.equal(k.spec.ports[0].targetPort, server.port);
    const ep = await server.server.storage('', 'v1', 'endpoints')!.get(ctx(), 'default', 'kubernetes');
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: server.port, protocol: 'TCP' }] }]);
    const dns = await services.get(ctx(), 'kube-system', 'kube-dns');
    assert.equal(dns.spec.clusterIP, '10.43.0.10');
    assert.deepEqual(dns.spec.ports.map((p: { protocol: string; port: number }) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP']);
    const slice = await server.server.storage('discovery.k8s.io', 'v1', 'endpointslices')!.get(ctx(), 'default', 'kubernetes');
    assert.equal(slice.metadata.labels?.['kubernetes.io/service-name'], 'kubernetes');
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }]);
  });
});

describe('service allocation across a restart', () => {
  it('a new server on the same data sees the allocated IPs and ports as taken', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bosun-ipalloc-'));
    try {
      const first = await startTestServer({ store: 'sqlite', dataDir });
      const s1 = first.server.storage('', 'v1', 'services')!;
      await s1.create(ctx(), 'default', svc('keep', { type: 'NodePort', clusterIP: '10.43.3.3', ports: [{ port: 80, nodePort: 30333 }] }));
      await first.stop();
      const second = await startTestServer({ store: 'sqlite', dataDir });
      try {
        const s2 = second.server.storage('', 'v1', 'services')!;
        await rejects422(s2.create(ctx(), 'default', svc('clash', { clusterIP: '10.43.3.3' })), 'spec.clusterIPs', /already allocated/);
        await rejects422(s2.create(ctx(), 'default', svc('clash2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30333 }] })), 'spec.ports[0].nodePort', /already allocated/);
        const k = await s2.get(ctx(), 'default', 'kubernetes');
        assert.equal(k.spec.ports[0].targetPort, second.port);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
