/**
 * Prometheus /metrics on a real node (issue 16): `bosun server`'s HTTPS endpoint carries the API
 * server's, the scheduler's and the controllers' metrics (they run in that process), the agent's
 * HTTPS endpoint the node's (kubelet, proxy, DNS), all under upstream's names, in text exposition
 * format checked by a real parser. Access to the API server's is upstream's: `curl` with a service
 * account token is refused (403) until RBAC grants `get` on the nonResourceURL /metrics, then served.
 * The agent's is read with the admin's client certificate (a system:masters caller).
 * Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { parseExposition, samplesOf, type Exposition } from '../../src/testing/prometheus-text.js';

const run = promisify(execFile);

/** curl as a scraper runs it: a bearer token (or curl's own flags), the cluster CA not pinned (-k), status code appended. */
async function curl(url: string, token: string, flags: string[] = []): Promise<{ code: number; body: string }> {
  const auth = token ? ['-H', `Authorization: Bearer ${token}`] : [];
  const { stdout } = await run('curl', ['-sk', ...auth, ...flags, '-w', '\n%{http_code}', url], { maxBuffer: 64 * 1024 * 1024 });
  const i = stdout.lastIndexOf('\n');
  return { code: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
}

const atLeastOne = (e: Exposition, name: string, labels: Record<string, string> = {}): void => {
  const s = samplesOf(e, name, labels);
  assert.ok(s.some((x) => x.value >= 1), `${name}${JSON.stringify(labels)}: ${JSON.stringify(s.slice(0, 5))}`);
};

describe('Prometheus /metrics of every component on a real node', { timeout: 300_000 }, () => {
  // The Deployment goes first: stop() deletes pods, which its ReplicaSet would make again.
  const getNode = useNodeServer({}, (n) => n.k('delete', 'deployment', 'mx-web', '--wait=true'));
  const certDir = mkdtempSync(join(tmpdir(), 'bosun-mx-'));
  after(() => rmSync(certDir, { recursive: true, force: true }));
  let node: NodeServer;
  let token = '';
  let agentURL = '';
  before(async () => {
    node = getNode();
    // Work for every component: a Deployment (controllers, scheduler, agent, pod start) and a Service (proxy).
    await node.k('create', 'deployment', 'mx-web', '--image=bosun.test/busybox:1', '--', 'sleep', '3600');
    await node.k('expose', 'deployment', 'mx-web', '--port=80');
    const w = await node.kubectl(['rollout', 'status', 'deployment/mx-web', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w.code, 0, w.stderr);
    await node.k('create', 'serviceaccount', 'mx-scraper');
    token = await node.k('create', 'token', 'mx-scraper');
    const ip = await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    const port = await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}');
    agentURL = `https://${ip}:${port}/metrics`;
    const b64 = (field: string) => Buffer.from(new RegExp(`\\s${field}: (\\S+)`).exec(readFileSync(node.kubeconfig, 'utf8'))![1]!, 'base64');
    writeFileSync(join(certDir, 'admin.crt'), b64('client-certificate-data'));
    writeFileSync(join(certDir, 'admin.key'), b64('client-key-data'), { mode: 0o600 });
  });

  it('a token without the right is refused', async () => {
    const api = await curl(`${node.url}/metrics`, token);
    assert.equal(api.code, 403, api.body);
    assert.match(api.body, /User \\"system:serviceaccount:default:mx-scraper\\" cannot get path \\"\/metrics\\"/);
    // The agent reviews the token (TokenReview with the node's credential): a valid token without
    // nodes/metrics is 403 with the kubelet's body, not 401 (a failed review would be 401).
    const agent = await curl(agentURL, token);
    assert.deepEqual(agent, { code: 403, body: `Forbidden (user=system:serviceaccount:default:mx-scraper, verb=get, resource=nodes, subresource=metrics)` });
    const stats = await curl(agentURL.replace(/\/metrics$/, '/stats/summary'), token);
    assert.deepEqual(stats, { code: 403, body: `Forbidden (user=system:serviceaccount:default:mx-scraper, verb=get, resource=nodes, subresource=stats)` });
  });

  it('granted get on /metrics and nodes/metrics, curl reads valid exposition with upstream\'s names', async () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mx-prometheus' },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }, { apiGroups: [''], resources: ['nodes/metrics', 'nodes/stats'], verbs: ['get'] }] };
    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: JSON.stringify(role) })).code, 0);
    // mx-reader, never refused, reads the agent: mx-scraper's refusal stays cached there for 30 s
    // (as the kubelet's), which the test would otherwise have to wait out.
    await node.k('create', 'serviceaccount', 'mx-reader');
    const readerToken = await node.k('create', 'token', 'mx-reader');
    await node.k('create', 'clusterrolebinding', 'mx-prometheus', '--clusterrole=mx-prometheus', '--serviceaccount=default:mx-scraper', '--serviceaccount=default:mx-reader');

    const api = await waitFor('API server /metrics for the granted token', async () => {
      const r = await curl(`${node.url}/metrics`, token);
      return r.code === 200 ? r.body : undefined;
    }, 60_000, 500);
    const s = parseExposition(api);
    // API server: this very request is in flight; controllers' watches are open.
    atLeastOne(s, 'apiserver_request_total', { verb: 'LIST', resource: 'pods', code: '200', component: 'apiserver' });
    atLeastOne(s, 'apiserver_request_total', { verb: 'POST', group: 'apps', resource: 'deployments', code: '201', scope: 'namespace' });
    atLeastOne(s, 'apiserver_request_duration_seconds_count', { verb: 'GET', resource: 'nodes', scope: 'resource' });
    atLeastOne(s, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' });
    atLeastOne(s, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods' });
    atLeastOne(s, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'pods' });
    assert.equal(s.types.get('apiserver_request_duration_seconds'), 'histogram');
    // Scheduler.
    atLeastOne(s, 'scheduler_schedule_attempts_total', { result: 'scheduled', profile: 'default-scheduler' });
    atLeastOne(s, 'scheduler_scheduling_attempt_duration_seconds_count', { result: 'scheduled' });
    atLeastOne(s, 'scheduler_pod_scheduling_sli_duration_seconds_count');
    // Controllers: the work queues by name.
    const adds = samplesOf(s, 'workqueue_adds_total').filter((x) => /replicaset/.test(x.labels.name ?? ''));
    assert.ok(adds.some((x) => x.value >= 1), JSON.stringify(samplesOf(s, 'workqueue_adds_total').map((x) => x.labels.name)));
    const rsName = adds[0]!.labels.name!;
    atLeastOne(s, 'workqueue_queue_duration_seconds_count', { name: rsName });
    atLeastOne(s, 'workqueue_work_duration_seconds_count', { name: rsName });
    assert.equal(s.types.get('workqueue_depth'), 'gauge');
    atLeastOne(s, 'process_resident_memory_bytes');

    const agentRes = await curl(agentURL, '', ['--cert', join(certDir, 'admin.crt'), '--key', join(certDir, 'admin.key')]);
    assert.equal(agentRes.code, 200, agentRes.body);
    const byToken = await waitFor('agent /metrics for a granted token', async () => {
      const r = await curl(agentURL, readerToken);
      return r.code === 200 ? r.body : undefined;
    }, 60_000, 1000);
    atLeastOne(parseExposition(byToken), 'kubelet_pod_start_duration_seconds_count');
    const summary = await curl(agentURL.replace(/\/metrics$/, '/stats/summary'), readerToken);
    assert.equal(summary.code, 200, summary.body);
    assert.equal((JSON.parse(summary.body) as { node: { nodeName: string } }).node.nodeName, node.nodeName);
    const agentText = agentRes.body;
    const a = parseExposition(agentText);
    atLeastOne(a, 'kubelet_pod_start_duration_seconds_count');
    atLeastOne(a, 'kubelet_pleg_relist_duration_seconds_count');
    atLeastOne(a, 'kubelet_runtime_operations_total', { operation_type: 'run_podsandbox' });
    atLeastOne(a, 'kubelet_runtime_operations_duration_seconds_count', { operation_type: 'create_container' });
    atLeastOne(a, 'kubeproxy_sync_proxy_rules_duration_seconds_count');
    atLeastOne(a, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds');
    // Test nodes run no DNS server (it would need port 53): coredns_* are shown in src/dns/dns-metrics.test.ts.
    // The control plane's families are not the agent's, and the other way round.
    assert.equal(a.types.has('apiserver_request_total'), false);
    assert.equal(s.types.has('kubelet_pleg_relist_duration_seconds'), false);
  });
  it('nodes/proxy reaches the agent through the API server, authorized as nodes/proxy', async () => {
    // As upstream's node ProxyREST: kubectl get --raw .../nodes/N/proxy/PATH is the agent's PATH.
    const viaApi = await node.k('get', '--raw', `/api/v1/nodes/${node.nodeName}/proxy/metrics`);
    atLeastOne(parseExposition(viaApi), 'kubelet_runtime_operations_total', { operation_type: 'run_podsandbox' });
    const summary = JSON.parse(await node.k('get', '--raw', `/api/v1/nodes/${node.nodeName}/proxy/stats/summary`)) as { node: { nodeName: string } };
    assert.equal(summary.node.nodeName, node.nodeName);
    // NAME:PORT with the agent's own port is the same endpoint (upstream's SplitSchemeNamePort).
    const port = /:(\d+)\/metrics$/.exec(agentURL)![1]!;
    atLeastOne(parseExposition(await node.k('get', '--raw', `/api/v1/nodes/${node.nodeName}:${port}/proxy/metrics`)), 'kubelet_pod_start_duration_seconds_count');
    const missing = await node.kubectl(['get', '--raw', '/api/v1/nodes/mx-no-such-node/proxy/metrics']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound|not found/);

    // nodes/metrics does not cover the proxy: the scraper's token is refused until nodes/proxy is granted.
    const proxied = `${node.url}/api/v1/nodes/${node.nodeName}/proxy/metrics`;
    const refused = await curl(proxied, token);
    assert.equal(refused.code, 403, refused.body);
    assert.match(refused.body, /cannot get resource \\"nodes\/proxy\\"/);
    await node.k('create', 'clusterrole', 'mx-node-proxy', '--verb=get', '--resource=nodes/proxy');
    await node.k('create', 'clusterrolebinding', 'mx-node-proxy', '--clusterrole=mx-node-proxy', '--serviceaccount=default:mx-scraper');
    const served = await waitFor('nodes/proxy for the granted token', async () => {
      const r = await curl(proxied, token);
      return r.code === 200 ? r.body : undefined;
    }, 60_000, 500);
    atLeastOne(parseExposition(served), 'kubelet_pod_start_duration_seconds_count');
  });
});
