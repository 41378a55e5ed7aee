/** HTTPS probes, as the kubelet's: certificates are not verified, so no trust store is built for them. */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import tls from 'node:tls';
import type { Container } from '../../api/kinds/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { selfSignedServingCertificate } from '../server/serving-cert.js';
import { runAction } from './prober.js';

test('an HTTPS probe accepts a self-signed certificate and builds no root certificate store', async () => {
  const cert = selfSignedServingCertificate('probe-target', [], ['127.0.0.1']);
  const server = createServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  // node's TLS client builds each connection's context through tls.createSecureContext; without a
  // `ca` it adds the process-wide root store (node's ~140 bundled certificates, kept for life).
  const contexts = mock.method(tls, 'createSecureContext');
  try {
    const target = { runtime: {} as ContainerRuntime, containerId: 'c1', container: { name: 'web' } as Container, podIP: '127.0.0.1' };
    const r = await runAction({ httpGet: { scheme: 'HTTPS', port, path: '/healthz' } }, target, 5);
    assert.deepEqual(r, { ok: true, output: 'ok' });
    assert.ok(contexts.mock.callCount() >= 1, 'the probe made a TLS connection');
    for (const c of contexts.mock.calls) assert.deepEqual((c.arguments[0] as tls.SecureContextOptions).ca, [], 'an empty CA list: no root store');
  } finally {
    contexts.mock.restore();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
