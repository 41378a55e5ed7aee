/**
 * A private, single-member etcd for tests and benchmarks: listens on 127.0.0.1 (client and peer
 * ports picked free by the kernel), keeps its data in a fresh temp dir, and `stop()` kills it and
 * removes the dir. Start one per test file and give each store its own key prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's etcd-server package puts the binary. */
export const ETCD_BIN = process.env.BOSUN_ETCD_BIN ?? '/usr/bin/etcd';

/**
 * An etcd serving TLS (client URL https://) and requiring client certificates from `caFile`
 * (--client-cert-auth), as a production etcd is run. The client pair is for the health probe.
 */
export interface EtcdServerTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123 (https:// with TLS). */
  endpoint: string;
  /** Kill the process and remove its data dir. Idempotent. */
  stop(): Promise<void>;
}

/** True when the etcd binary is installed (tests skip otherwise). */
export function etcdAvailable(): boolean {
  return existsSync(ETCD_BIN);
}

/** A port that was free a moment ago (etcd cannot report back a port it picked itself). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GET /health over TLS with the client certificate (fetch cannot present one). */
function healthyTls(endpoint: string, tls: EtcdServerTls): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/health`, {
      ca: readFileSync(tls.caFile), cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile), timeout: 1000, agent: false,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(/"health":\s*"true"/.test(body)));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function healthy(endpoint: string, tls?: EtcdServerTls): Promise<boolean> {
  if (tls) return healthyTls(endpoint, tls);
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function waitExit(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((r) => proc.once('exit', () => r()));
}

export interface StartEtcdOptions {
  timeoutMs?: number;
  tls?: EtcdServerTls;
  /**
   * etcd's --experimental-watch-progress-notify-interval in ms: how often a quiet watch gets a
   * progress notification (etcd's default 10m; kubeadm, k3s and rke2 run etcd with 5s).
   */
  progressNotifyIntervalMs?: number;
}

async function startOnce(opts: StartEtcdOptions): Promise<EtcdServer> {
  const { tls } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'bosun-etcd-test-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const name = `bosun-test-${process.pid}`;
  const proc = spawn(
    ETCD_BIN,
    [
      `--name=${name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${name}=${peer}`,
      '--initial-cluster-state=new',
      '--log-level=error',
      ...(opts.progressNotifyIntervalMs ? [`--experimental-watch-progress-notify-interval=${opts.progressNotifyIntervalMs}ms`] : []),
      ...(tls ? [`--cert-file=${tls.certFile}`, `--key-file=${tls.keyFile}`, `--trusted-ca-file=${tls.caFile}`, '--client-cert-auth'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let stopped = false;
  // If the test process dies without stop(), take etcd and its data dir along.
  const onExit = (): void => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    proc.kill('SIGKILL');
    await waitExit(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (!(await healthy(endpoint, tls))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy on ${endpoint}: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { endpoint, stop };
}

/** Start etcd and wait until /health answers; retries a port that was taken in between. */
export async function startEtcd(opts: StartEtcdOptions = {}): Promise<EtcdServer> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}
