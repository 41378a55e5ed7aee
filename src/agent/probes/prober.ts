import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from '../../api/kinds/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { grpcProbe } from './grpc-probe.js';

/**
 * One probe or hook action, run once: httpGet (2xx/3xx succeeds), tcpSocket (a connection
 * succeeds), exec (exit code 0 succeeds, through CRI ExecSync), grpc (the health service answers
 * SERVING; grpc-probe.ts). Failure outputs follow kubelet's wording, since they end up in
 * "Liveness probe failed: ..." events.
 */

export type ProbeResult = { ok: true; output: string } | { ok: false; output: string };

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  container: Container;
  podIP: string;
}

type Action = Pick<Probe, 'httpGet' | 'tcpSocket' | 'exec' | 'grpc'>;

/** A named port resolves through the container's ports, as upstream. */
export function resolvePort(port: string | number | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port && /^\d+$/.test(port)) return Number(port);
  const found = (c.ports ?? []).find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(c.ports ?? [])}`);
  return found.containerPort;
}

function httpGet(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    // As the kubelet's (InsecureSkipVerify), an HTTPS probe verifies no certificate; the empty CA
    // list keeps node from building its process-wide root store for it (node's bundled or, with
    // --use-openssl-ca, the system's ~140 certificates: ~0.7 MiB parsed and kept for the agent's life).
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET', headers: { 'User-Agent': 'kube-probe/1.32', Accept: '*/*', ...headers }, rejectUnauthorized: false, ca: [],
      timeout: timeoutMs,
    } as object, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.length < 16 && chunks.push(d));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8').slice(0, 10 * 1024);
        if (code >= 200 && code < 400) resolve({ ok: true, output: body });
        else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (e) => resolve({ ok: false, output: e.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, output: `Get "${url}": ${dialError(e, url.hostname, url.port)}` }));
    req.end();
  });
}

function dialError(e: NodeJS.ErrnoException, host: string, port: string | number): string {
  if (e.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (e.code === 'EHOSTUNREACH') return `dial tcp ${host}:${port}: connect: no route to host`;
  return e.message;
}

function tcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, output: '' });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: dialError(e, host, port) });
    });
  });
}

/** Runs `action` against the target with a timeout of `timeoutSeconds`. */
export async function runAction(action: Action, t: ProbeTarget, timeoutSeconds: number): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, timeoutSeconds) * 1000;
  try {
    if (action.exec) {
      const cmd = action.exec.command ?? [];
      try {
        const r = await t.runtime.execSync(t.containerId, cmd, Math.max(1, timeoutSeconds));
        const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
        if (r.exitCode === 0) return { ok: true, output };
        return { ok: false, output: output || `command ${JSON.stringify(cmd.join(' '))} exited with ${r.exitCode}` };
      } catch (err) {
        const msg = (err as Error).message;
        if (/deadline|timeout|timed out/i.test(msg)) return { ok: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
        return { ok: false, output: msg };
      }
    }
    if (action.httpGet) {
      const g = action.httpGet;
      const port = resolvePort(g.port, t.container);
      const host = g.host || t.podIP;
      const scheme = (g.scheme ?? 'HTTP').toLowerCase();
      let path = g.path ?? '/';
      if (!path.startsWith('/')) path = `/${path}`;
      const url = new URL(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
      const headers: Record<string, string> = {};
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      return await httpGet(url, headers, timeoutMs);
    }
    if (action.tcpSocket) {
      return await tcp(action.tcpSocket.host || t.podIP, resolvePort(action.tcpSocket.port, t.container), timeoutMs);
    }
    if (action.grpc) {
      return await grpcProbe(t.podIP, action.grpc.port, action.grpc.service ?? '', timeoutMs);
    }
    return { ok: false, output: 'missing probe handler' };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}
