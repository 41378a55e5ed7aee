/**
 * Upstream conformance tests outside [sig-node] that need a real node, registered into the
 * [sig-node] containers file (its node and namespace): test/e2e/apps/replica_set.go and rc.go
 * ("should serve a basic image on each replica"), auth/service_accounts.go (the API token mounted
 * into pods, the projected service account token) and kubectl/logs.go (kubectl logs and its
 * filters). agnhost mapped to busybox:
 *  - `serve-hostname` (answers every request on 9376 with the hostname, no newline) is httpd on 9376
 *    serving a file of `hostname`'s output with the newline cut;
 *  - `mounttest --file_content=F` (prints `content of file "F": <content>`) is a shell echo;
 *  - `logs-generator --log-lines-total 100 --run-duration 20s` (a klog line every 200 ms:
 *    `I<mmdd hh:mm:ss.uuuuuu>       1 logs_generator.go:76] <id> <method> /api/v1/namespaces/<ns>/pods/<name> <status>`)
 *    is a shell loop printing that format; it takes namespaces in turn instead of at random, so
 *    kube-system is in its first line.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Pod, PodTemplateSpec } from '../../src/api/kinds/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { eventually } from '../../src/testing/eventually.js';
import { RawClient, type RawResponse } from '../../src/testing/raw-client.js';
import {
  BUSYBOX, busyboxPod, execIn, expectContainerOutput, isRunningReady, waitForPod, type NodeConformance,
} from './conformance-node-harness.js';

/** agnhost serve-hostname on its port 9376, as the container's args (the image has no entrypoint). */
const SERVE_HOSTNAME = ['sh', '-c', 'mkdir -p /sh && hostname | tr -d "\\n" > /sh/index.html && exec httpd -f -p 9376 -h /sh'];

/** agnhost logs-generator with --log-lines-total 100 --run-duration 20s; exits at once on TERM. */
const LOGS_GENERATOR = String.raw`trap "exit 0" TERM
i=0; while [ $i -lt 100 ]; do
  case $((i % 3)) in 0) ns=kube-system m=GET;; 1) ns=default m=POST;; *) ns=ns m=PUT;; esac
  echo "I$(date +'%m%d %H:%M:%S').000000       1 logs_generator.go:76] $i $m /api/v1/namespaces/$ns/pods/p$i $((200 + i * 37 % 400))"
  i=$((i + 1)); sleep 0.2
done`;

/** e2epod.PodsCreated: the controller's `replicas` pods (label name=<name>, not being deleted). */
function podsCreated(c: NodeConformance, name: string, replicas: number): Promise<Pod[]> {
  return eventually(async () => {
    const pods = (await c.client.pods(c.ns).list({ labelSelector: `name=${name}` })).items.filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === replicas && pods;
  }, `${replicas} pods of ${name}`, { timeoutMs: 120_000, intervalMs: 300 });
}

/** A GET as client-go's REST client makes it: redirects followed (Go's http.Client, up to 10). */
async function getFollowingRedirects(raw: RawClient, path: string): Promise<RawResponse> {
  let r = await raw.request(path);
  for (let i = 0; i < 10 && [301, 302, 303, 307, 308].includes(r.status); i++) r = await raw.request(String(r.headers.location));
  return r;
}

/**
 * e2epod.WaitForPodsResponding with wantName: each pod, still a member of the controller's pods,
 * answers GET pods/<name>/proxy (no port: the first container port; the apiserver redirects the
 * empty path to .../proxy/ as upstream's proxy handler does) with exactly its own name.
 */
async function waitForPodsResponding(c: NodeConformance, name: string, pods: Pod[]): Promise<void> {
  const raw = new RawClient(c.node.url, c.node.dataDir);
  let last = '';
  try {
    await eventually(async () => {
      const current = (await c.client.pods(c.ns).list({ labelSelector: `name=${name}` })).items.map((p) => p.metadata.uid);
      const wrong: string[] = [];
      for (const pod of pods) {
        // As upstream, a pod replaced by the controller fails the test at once (StopTrying).
        if (!current.includes(pod.metadata.uid)) throw new Error(`pod ${pod.metadata.name} is no longer a member of ${name}`);
        const r = await getFollowingRedirects(raw, `/api/v1/namespaces/${c.ns}/pods/${pod.metadata.name}/proxy`);
        if (r.status !== 200 || r.body !== pod.metadata.name) wrong.push(`${pod.metadata.name} answered ${r.status} ${JSON.stringify(r.body)}`);
      }
      last = wrong.join('; ');
      return wrong.length === 0;
    }, `the pods of ${name} to answer their own name`, { timeoutMs: 120_000, intervalMs: 500 });
  } catch (e) {
    throw new Error(`${(e as Error).message}; last: ${last}`);
  } finally {
    raw.close();
  }
}

/** testReplicaSetServeImageOrFail / TestReplicationControllerServeImageOrFail with the public image. */
async function serveImageOrFail(c: NodeConformance, kind: 'ReplicaSet' | 'ReplicationController'): Promise<void> {
  const name = `my-hostname-basic-${randomUUID()}`;
  const replicas = 1;
  const template: PodTemplateSpec = {
    metadata: { labels: { name } },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name, image: BUSYBOX, args: SERVE_HOSTNAME, ports: [{ containerPort: 9376 }] }] },
  };
  // newRS sets the selector and the object's labels; newRC sets neither (the selector defaults to
  // the template's labels).
  const rs = c.client.resource(resources.replicasets, c.ns);
  const rc = c.client.resource(resources.replicationcontrollers, c.ns);
  if (kind === 'ReplicaSet') {
    await rs.create({ apiVersion: 'apps/v1', kind, metadata: { name, labels: { name } }, spec: { selector: { matchLabels: { name } }, replicas, template } });
  } else {
    await rc.create({ apiVersion: 'v1', kind, metadata: { name }, spec: { replicas, template } });
  }
  try {
    const pods = await podsCreated(c, name, replicas);
    for (const pod of pods) await waitForPod(c, pod.metadata.name!, 'Running', (p) => p.status?.phase === 'Running');
    await waitForPodsResponding(c, name, pods);
  } finally {
    await (kind === 'ReplicaSet' ? rs : rc).delete(name, { propagationPolicy: 'Background' });
  }
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function registerAppsAuthCliConformance(ctx: () => NodeConformance): void {
  it('[sig-apps] ReplicaSet should serve a basic image on each replica with a public image [Conformance]', async () => {
    await serveImageOrFail(ctx(), 'ReplicaSet');
  });

  it('[sig-apps] ReplicationController should serve a basic image on each replica with a public image [Conformance]', async () => {
    await serveImageOrFail(ctx(), 'ReplicationController');
  });

  it('[sig-auth] ServiceAccounts should mount an API token into pods [Conformance]', async () => {
    const c = ctx();
    const sa = 'mount-test';
    await c.client.resource(resources.serviceaccounts, c.ns).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
    const name = `pod-service-account-${randomUUID()}`;
    await c.client.pods(c.ns).create(busyboxPod(name, { name: 'test', command: ['sleep', '100000'] }, { serviceAccountName: sa, terminationGracePeriodSeconds: 0, restartPolicy: 'Never' }));
    try {
      await waitForPod(c, name, 'Running', (p) => p.status?.phase === 'Running');
      // tk.ReadFileViaContainer: kubectl exec <pod> -c <container> -- cat <file>.
      const [token, ca, namespace] = await Promise.all(['token', 'ca.crt', 'namespace'].map((f) => execIn(c, name, 'test', ['cat', `${SA_DIR}/${f}`])));
      const rootCA = await c.client.resource(resources.configmaps, c.ns).get('kube-root-ca.crt');
      assert.equal(ca, rootCA.data?.['ca.crt']);
      assert.equal(namespace, c.ns);
      // The token is a valid credential of the pod's service account.
      const res = await c.client.transport.request({
        method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', contentType: 'application/json',
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
      });
      const status = (JSON.parse(res.body) as { status?: { authenticated?: boolean; error?: string; user?: { username?: string; groups?: string[] } } }).status;
      assert.equal(status?.authenticated, true, `tokenReview is not authenticated: ${res.body}`);
      assert.equal(status?.error ?? '', '');
      assert.equal(status?.user?.username, `system:serviceaccount:${c.ns}:${sa}`);
      for (const g of ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${c.ns}`]) {
        assert.ok(status?.user?.groups?.includes(g), `expected group ${g}, had ${status?.user?.groups?.join(',')}`);
      }
    } finally {
      await c.client.pods(c.ns).delete(name);
    }
  });

  it('[sig-auth] ServiceAccounts should mount projected service account token [Conformance]', async () => {
    const tokenPath = '/test-volume/token';
    // e2epod.NewAgnhostPod(..., mounttest --file_content=/test-volume/token), RestartPolicy Never.
    const pod = busyboxPod(`test-pod-${randomUUID()}`, {
      name: 'agnhost-container',
      command: ['sh', '-c', `echo "content of file \\"${tokenPath}\\": $(cat ${tokenPath})"`],
      volumeMounts: [{ name: 'test-volume', mountPath: '/test-volume', readOnly: true }],
    }, { volumes: [{ name: 'test-volume', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 60 * 60 } }] } }] });
    await expectContainerOutput(ctx(), pod, [new RegExp(`content of file "${tokenPath}": [A-Za-z0-9\\-_=]+\\.[A-Za-z0-9\\-_=]+\\.?[A-Za-z0-9\\-_.+/=]*`)]);
  });

  it('[sig-cli] Kubectl logs logs should be able to retrieve and filter logs [Conformance]', async () => {
    const c = ctx();
    const podName = 'logs-generator';
    const containerName = 'logs-generator';
    const kubectl = async (...args: string[]): Promise<string> => {
      const r = await c.node.kubectl(['-n', c.ns, ...args]);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // Split("something\n", "\n") returns ["something", ""], so strip the trailing newline first.
    const lines = (out: string) => out.replace(/\n+$/, '').split('\n');
    await kubectl('run', podName, `--image=${BUSYBOX}`, '--restart=Never', '--pod-running-timeout=2m0s', '--', 'sh', '-c', LOGS_GENERATOR);
    try {
      // CheckPodsRunningReadyOrSucceeded.
      await waitForPod(c, podName, 'running and ready, or succeeded', (p) => isRunningReady(p) || p.status?.phase === 'Succeeded');
      // LookForStringInLog.
      await eventually(async () => (await kubectl('logs', podName, containerName)).includes('/api/v1/namespaces/kube-system'),
        'a line of kube-system in the log', { timeoutMs: 60_000, intervalMs: 500 });

      const tail = await kubectl('logs', podName, containerName, '--tail=1');
      assert.notEqual(tail, '');
      assert.equal(lines(tail).length, 1, tail);

      const bytes = await kubectl('logs', podName, containerName, '--limit-bytes=1');
      assert.equal(lines(bytes).length, 1, bytes);
      assert.equal(bytes.length, 1, JSON.stringify(bytes));

      const stamped = lines(await kubectl('logs', podName, containerName, '--tail=1', '--timestamps'));
      assert.equal(stamped.length, 1, stamped.join('\n'));
      const words = stamped[0]!.split(' ');
      assert.ok(words.length > 1, stamped[0]);
      assert.match(words[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/, 'RFC3339 or RFC3339Nano');

      // Upstream waits 2.5 s: the granularity is a second, and the first lines must be older than 1 s.
      await new Promise((r) => setTimeout(r, 2500));
      const recentOut = await kubectl('logs', podName, containerName, '--since=1s');
      const olderOut = await kubectl('logs', podName, containerName, '--since=24h');
      const recent = recentOut.split('\n').length;
      const older = olderOut.split('\n').length;
      assert.ok(recent < older, `expected recent(${recent}) to be less than older(${older})\nrecent lines:\n${recentOut}\nolder lines:\n${olderOut}`);
      // Beyond upstream: while the generator still writes, `older` outgrows `recent` even when the
      // filter is ignored (the second call sees more lines), so also check that the first line,
      // logged before the 2.5 s wait, is not in the last second's.
      assert.ok(!recentOut.includes('] 0 GET /api/v1/namespaces/kube-system/'), `--since=1s returned the first line:\n${recentOut}`);
      assert.ok(olderOut.includes('] 0 GET /api/v1/namespaces/kube-system/'), `--since=24h lacks the first line:\n${olderOut}`);
    } finally {
      await kubectl('delete', 'pod', podName);
    }
  });
}
