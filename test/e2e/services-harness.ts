/**
 * Shared pieces of the services end-to-end tests (test/e2e/services-*.test.ts): a `bosun server`
 * (src/testing/node-server.ts) whose proxy has its own nftables table (so several servers can share
 * the host), a backend Deployment answering `<hostname> <client address>` through a busybox httpd
 * CGI script, HTTP from the node, a client network namespace outside the cluster, and a bounded
 * steady load generator.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { request } from 'node:http';
import { startNodeServer, type NodeServer, type NodeServerOptions } from '../../src/testing/node-server.js';

export interface ServicesNode extends NodeServer {
  /** The proxy's nftables table. */
  table: string;
  /** `nft list table ip <table>`, or '' when it does not exist. */
  nftTable(): string;
  /** Removes the table if the server left it (after a failure). */
  dropTable(): void;
}

export async function startServicesNode(o: NodeServerOptions = {}): Promise<ServicesNode> {
  const table = `bzs${randomBytes(3).toString('hex')}`;
  const node = await startNodeServer({ ...o, extraArgs: ['--proxy-table', table, ...(o.extraArgs ?? [])] });
  const nftTable = (): string => {
    try {
      return execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  return Object.assign(node, {
    table, nftTable,
    dropTable: () => { if (nftTable()) execFileSync('nft', ['delete', 'table', 'ip', table]); },
  }) as ServicesNode;
}

/**
 * Teardown shared by the services tests: delete the workloads and stop the server cleanly when it is
 * still running, then, whatever happened, drop its proxy table and sweep what a failed run left.
 */
export async function stopServicesNode(node: ServicesNode | undefined): Promise<void> {
  if (!node) return;
  try {
    if (node.child.exitCode === null) {
      await node.kubectl(['delete', 'deployment', '--all', '--wait=false']);
      await node.stop();
    }
  } finally {
    node.dropTable();
    await node.forceCleanup();
  }
}

/** A container spec answering GET /cgi-bin/who with `<hostname> <REMOTE_ADDR>` on port 8080. */
export const WHO_CONTAINER = `
      - name: web
        image: bosun.test/busybox:1
        command:
        - sh
        - -c
        - |
          mkdir -p /www/cgi-bin
          cat > /www/cgi-bin/who <<'EOF'
          #!/bin/sh
          printf 'Content-Type: text/plain\\r\\n\\r\\n'
          echo "$(hostname) $REMOTE_ADDR"
          EOF
          chmod +x /www/cgi-bin/who
          hostname > /www/index.html
          exec httpd -f -p 8080 -h /www
        ports: [{name: http, containerPort: 8080}]`;

/**
 * The client address a WHO_CONTAINER answer names (busybox httpd prints IPv4 clients in the
 * IPv4-mapped form `[::ffff:a.b.c.d]`).
 */
export function clientOf(answer: string): string {
  const a = answer.split(' ')[1] ?? '';
  return a.replace(/^\[(::ffff:)?/, '').replace(/\]$/, '');
}

/** busybox wget in a pod (its -T option crashes busybox 1.35: the timeout applet bounds it). */
export const podWget = (url: string): string[] => ['timeout', '5', 'wget', '-qO-', url];

/** A Deployment of `replicas` WHO_CONTAINER pods labelled app=<name>, ready when httpd answers. */
export function whoDeployment(name: string, replicas: number, extra = ''): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:${WHO_CONTAINER}
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, failureThreshold: 1}${extra}
`;
}

/** A pod to run wget/nslookup from. */
export const CLIENT_POD = `
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: bosun.test/busybox:1, command: [sh, -c, 'while true; do sleep 1; done']}]
`;

/** GET http://host:port/path from this process with a fresh connection; resolves the body. */
export function httpGet(host: string, port: number, path = '/cgi-bin/who', timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        if (res.statusCode === 200) resolve(body.trim());
        else reject(new Error(`HTTP ${res.statusCode}: ${body}`));
      }).on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Hostnames (first word of each answer) of `n` sequential requests. */
export async function hostnamesOf(get: () => Promise<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await get()).split(' ')[0]!);
  return out;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failures: string[];
  byHost: Map<string, number>;
}

/**
 * Steady bounded load: one request every 1000/rate ms (each on a new connection, so each is
 * balanced anew) until `stop()` is called; `stop()` resolves once every request has finished.
 */
export function steadyLoad(get: () => Promise<string>, rate: number): { stop(): Promise<LoadResult> } {
  const r: LoadResult = { sent: 0, ok: 0, failures: [], byHost: new Map() };
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    r.sent++;
    const started = Date.now();
    const p = get().then((body) => {
      r.ok++;
      const h = body.split(' ')[0]!;
      r.byHost.set(h, (r.byHost.get(h) ?? 0) + 1);
    }, (err: Error) => { r.failures.push(`${new Date(started).toISOString()} ${err.message}`); })
      .finally(() => pending.delete(p));
    pending.add(p);
  }, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...pending]);
      return r;
    },
  };
}

/**
 * A network namespace standing for a machine outside the cluster: a veth pair to the host with a
 * /30 of 198.18.0.0/15 (the benchmarking range, routed nowhere else), default route via the host.
 */
export function clientNetns(prefix: string): { name: string; address: string; exec(cmd: string[]): string; remove(): void } {
  const name = `${prefix}cl`;
  const host = `${prefix}h`;
  const peer = `${prefix}p`;
  const base = `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(64) * 4}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  const hostIP = `${a}.${b}.${c}.${d + 1}`;
  const address = `${a}.${b}.${c}.${d + 2}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
  const remove = (): void => {
    try { ip('link', 'del', host); } catch { /* gone */ }
    try { ip('netns', 'del', name); } catch { /* gone */ }
  };
  try {
    ip('netns', 'add', name);
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', name);
    ip('addr', 'add', `${hostIP}/30`, 'dev', host);
    ip('link', 'set', host, 'up');
    ip('-n', name, 'addr', 'add', `${address}/30`, 'dev', peer);
    ip('-n', name, 'link', 'set', peer, 'up');
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', name, 'route', 'add', 'default', 'via', hostIP);
  } catch (err) {
    remove();
    throw err;
  }
  return {
    name, address, remove,
    exec: (cmd) => execFileSync('ip', ['netns', 'exec', name, ...cmd], { encoding: 'utf8', timeout: 10_000 }),
  };
}

/** A port free for both UDP and TCP on every address (for a node's DNS server; 53 may be taken). */
export async function freeDnsPort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const { createServer } = await import('node:net');
  for (;;) {
    const port = 20_000 + randomInt(10_000);
    const ok = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, () => {
        const t = createServer();
        t.once('error', () => { u.close(); resolve(false); });
        t.listen(port, () => t.close(() => { u.close(); resolve(true); }));
      });
    });
    if (ok) return port;
  }
}
