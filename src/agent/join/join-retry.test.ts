/**
 * A node starting while its API server cannot be reached yet (a machine whose network is still
 * coming up, a server restarting) keeps trying, as a kubelet does (registerWithAPIServer in
 * upstream's pkg/kubelet/kubelet_node_status.go retries forever, 100 ms doubling to 7 s): the join,
 * the wait for the pod CIDR and the first node registration each retry connection failures with
 * a logged back-off and go on once the server listens. What retrying cannot fix fails at once: a
 * wrong token secret (401), a node password mismatch (403), a CA that does not match the pin.
 * The server sits behind a TCP forwarder on a loopback port of its own that the test opens and
 * closes; each "not listening yet" ends one second after the first retry was logged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Node } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import type { Logger } from '../../controller-runtime/log.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startTestServer } from '../../testing/test-cluster.js';
import { startAgent } from '../agent.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { awaitPodCIDR } from './await-pod-cidr.js';
import { CaPinMismatchError, joinCluster } from './join-cluster.js';
import { parseJoinToken } from './join-token.js';

const P = `jretry-${process.pid}-${Date.now().toString(36)}`;
let ts: Awaited<ReturnType<typeof startTestServer>>;
let admin: KubeClient;
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bosun-jretry-'));
  dirs.push(d);
  return d;
};

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
});
after(async () => {
  for (const c of closers.reverse()) await c();
  admin?.close();
  await ts?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Forwarder { url: string; open(): Promise<void>; close(): Promise<void> }

/**
 * A TCP forwarder to the API server on a free loopback port, not listening until `open`. `close`
 * stops listening and cuts the connections it carries (a server gone away).
 */
async function forwarder(): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  let server: Server | undefined;
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    const s = server;
    server = undefined;
    if (s) await new Promise((r) => s.close(r));
  };
  closers.push(close);
  return {
    url: `https://127.0.0.1:${port}`,
    async open() {
      server = createServer((c) => {
        const up = connect(ts.port, '127.0.0.1');
        track(c);
        track(up);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
        c.pipe(up).pipe(c);
      });
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    },
    close,
  };
}

/** Collects retry messages; the first one opens `fw` a second later (the server "comes up"). */
function opensAfterFirstRetry(fw: Forwarder): { log: (m: string) => void; logs: string[]; opened: () => Promise<void> | undefined } {
  const logs: string[] = [];
  let opened: Promise<void> | undefined;
  return {
    logs,
    log: (m) => {
      logs.push(m);
      opened ??= sleep(1000).then(() => fw.open());
    },
    opened: () => opened,
  };
}

test('a join retries while the server is not listening yet, and joins once it listens', async () => {
  const fw = await forwarder();
  const r = opensAfterFirstRetry(fw);
  const dataDir = tmp();
  const joined = await joinCluster({ server: fw.url, token: ts.server.joinToken!, nodeName: `${P}-a`, dataDir, log: r.log });
  await r.opened();
  assert.ok(r.logs.length >= 1, 'retries were logged');
  for (const m of r.logs) {
    assert.match(m, /^GET https:\/\/127\.0\.0\.1:\d+\/cacerts failed: connect ECONNREFUSED 127\.0\.0\.1:\d+; retrying in \d+\.\d s \(attempt \d+\)$/);
  }
  const client = KubeClient.fromKubeconfig(joined.kubeconfigPath);
  try {
    assert.equal((await client.nodes().list()).kind, 'NodeList', 'the credential works');
  } finally {
    client.close();
  }
});

/** A join that must fail without a retry: the first retry aborts it, and the abort is not what is expected. */
async function failsAtOnce(token: string, nodeName: string, dataDir: string, expected: (e: Error) => boolean): Promise<void> {
  const fw = await forwarder();
  await fw.open();
  const logs: string[] = [];
  const ac = new AbortController();
  const log = (m: string): void => {
    logs.push(m);
    ac.abort();
  };
  await assert.rejects(joinCluster({ server: fw.url, token, nodeName, dataDir, log, signal: ac.signal }), expected);
  assert.deepEqual(logs, [], 'no retry');
}

test('a wrong token secret (401) and a node password mismatch (403) fail at once, without a retry', async () => {
  const { caHash } = parseJoinToken(ts.server.joinToken!);
  await failsAtOnce(`K10${caHash}::server:not-the-secret-at-all`, `${P}-b`, tmp(), (e) => /refused node credentials .*\(401\)/.test(e.message));
  // The name belongs to another machine (another node password) once its Node exists.
  const name = `${P}-c`;
  await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir: tmp() });
  await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as KubeObject);
  await failsAtOnce(ts.server.joinToken!, name, tmp(), (e) => /\(403\).*node password mismatch/.test(e.message));
});

test('a CA that does not match the pin fails at once, without a retry, writing nothing', async () => {
  const { secret } = parseJoinToken(ts.server.joinToken!);
  const dataDir = tmp();
  await failsAtOnce(`K10${'0'.repeat(64)}::server:${secret}`, `${P}-d`, dataDir, (e) => e instanceof CaPinMismatchError);
  assert.equal(existsSync(join(dataDir, 'agent')), false);
});

/** Joins through an open forwarder, then closes it: the node's client then talks to a server gone away. */
async function joinedThenGone(nodeName: string): Promise<{ fw: Forwarder; client: KubeClient }> {
  const fw = await forwarder();
  await fw.open();
  const joined = await joinCluster({ server: fw.url, token: ts.server.joinToken!, nodeName, dataDir: tmp() });
  await fw.close();
  const client = KubeClient.fromKubeconfig(joined.kubeconfigPath);
  closers.push(async () => client.close());
  return { fw, client };
}

test('the wait for the pod CIDR retries while the server is away', async () => {
  const nodeName = `${P}-e`;
  const { fw, client } = await joinedThenGone(nodeName);
  const r = opensAfterFirstRetry(fw);
  const cidr = awaitPodCIDR({ client, nodeName, pollMs: 50, log: r.log });
  // No node-ipam runs here: the admin assigns the CIDR once the agent has created its Node.
  await eventuallyWith({ timeoutMs: 30_000, intervalMs: 50, retryErrors: true })(
    async () => !!(await admin.nodes().patch(nodeName, 'merge', { spec: { podCIDR: '10.42.77.0/24' } })),
    'the Node created by awaitPodCIDR',
  );
  assert.equal(await cidr, '10.42.77.0/24');
  assert.ok(r.logs.length >= 1, 'retries were logged');
  assert.match(r.logs[0]!, new RegExp(`^GET node ${nodeName} failed: connect ECONNREFUSED `));
});

test('the first node registration retries while the server is away', async () => {
  const nodeName = `${P}-f`;
  const { fw, client } = await joinedThenGone(nodeName);
  const r = opensAfterFirstRetry(fw);
  const logger: Logger = {
    ...quietLogger,
    warn: (_obj, msg) => {
      if (msg?.includes('; retrying in ')) r.log(msg);
    },
    child: () => logger,
  };
  const agent = await startAgent({
    client, nodeName, runtime: new FakeRuntime({ images: [] }), dataDir: join(tmp(), 'agent'),
    podCIDR: '10.42.78.0/24', relistMs: 100, cgroupRoot: `/${P}`, logger,
  });
  try {
    assert.ok(r.logs.length >= 1, 'retries were logged');
    assert.match(r.logs[0]!, new RegExp(`^registering node ${nodeName} failed: connect ECONNREFUSED `));
    const node = await admin.nodes<Node>().get(nodeName);
    assert.equal(node.spec?.podCIDR, '10.42.78.0/24');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  } finally {
    await agent.stop();
  }
});
