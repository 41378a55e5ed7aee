/**
 * Test fixture of the Ingress controller's in-process tests: an API server, an admin client, the
 * controller's own identity (kube-system/bosun-ingress, issued as a joining node asks for it), and a
 * backend on loopback behind Service `default/web` (port 80, named `http`) through a hand-made
 * EndpointSlice (no pods: test/e2e/ingress.test.ts has the real ones).
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueNodeCredentials } from '../apiserver/join/node-credentials.js';
import { KubeClient } from '../client/index.js';
import { resources } from '../client/resource-ref.js';
import { startTestServer } from '../testing/test-cluster.js';

export interface IngressTestEnv {
  srv: Awaited<ReturnType<typeof startTestServer>>;
  admin: KubeClient;
  identity: KubeClient;
  stop(): Promise<void>;
}

/** `respond`: the backend's answer to each request the controller forwards. */
export async function startIngressTestEnv(nodeName: string, respond: RequestListener): Promise<IngressTestEnv> {
  const srv = await startTestServer();
  const admin = KubeClient.fromKubeconfig(srv.kubeconfig);
  const creds = issueNodeCredentials(srv.server.pki, { nodeName, password: 'x'.repeat(16), ingress: true });
  const identity = new KubeClient({ server: srv.url, ca: creds.caCert, ...creds.ingress! });
  const backend = createServer(respond);
  const backendPort = await new Promise<number>((r) => backend.listen(0, '127.0.0.1', () => r((backend.address() as AddressInfo).port)));
  await admin.create(resources.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: backendPort }] } });
  await admin.create(resources.endpointslices, 'default', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
  });
  return {
    srv, admin, identity,
    async stop() {
      backend.close();
      backend.closeAllConnections();
      identity.close();
      admin.close();
      await srv.stop();
    },
  };
}
