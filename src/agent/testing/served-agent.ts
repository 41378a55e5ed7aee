/**
 * A node agent harness whose agent server (logs, exec, port-forward) the API server reaches, as on
 * a real node: the server listens first so the Node can advertise its port, then serves the node's
 * certificate from the cluster CA (made by the harness's API server), which the API server verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '../../apiserver/pki/certs.js';
import type { AgentOptions } from '../agent.js';
import { startAgentServer, type AgentServer, type AgentServerOptions } from '../server/agent-server.js';
import { selfSignedServingCertificate } from '../server/serving-cert.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';
import type { TestContainerd } from './private-containerd.js';

export interface ServedAgent {
  h: AgentHarness;
  agentServer: AgentServer;
}

/** Agent on `tc` with its data under `tc.dir/agent`, node IP 127.0.0.1, plus `opts`. Close agentServer before h.stop(). */
export async function startServedAgent(tc: TestContainerd, opts: Partial<AgentOptions> = {}, server: Pick<AgentServerOptions, 'resourceStats'> = {}): Promise<ServedAgent> {
  const serving = selfSignedServingCertificate('agent', ['localhost'], ['127.0.0.1']);
  const agentServer = await startAgentServer({ runtime: tc.cri, port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: serving.cert }, ...server });
  const h = await startAgentHarness(tc.cri, {
    dataDir: join(tc.dir, 'agent'), cgroupRoot: tc.cgroupRoot, podCIDR: tc.podCIDR, nodeIP: '127.0.0.1', agentPort: agentServer.port, ...opts,
  });
  const pki = join(h.server.dataDir, 'pki');
  const ca = { cert: readFileSync(join(pki, 'ca.crt'), 'utf8'), key: readFileSync(join(pki, 'ca.key'), 'utf8') };
  const own = issueCertificate({ commonName: `system:node:${h.nodeName}`, organizations: ['system:nodes'], usage: 'server', dnsNames: [h.nodeName], ips: ['127.0.0.1'], validDays: 1 }, ca);
  agentServer.setTls({ ...own, clientCa: ca.cert });
  return { h, agentServer };
}
