/**
 * Chromium in a network namespace of its own, reaching the host's loopback through a SOCKS5 relay.
 *
 * Why: Chromium watches the interfaces and addresses of its network namespace (netlink) and, on every
 * change, fails the requests it is connecting with net::ERR_NETWORK_CHANGED. The end-to-end files
 * that run beside the console's create and delete bridges, veths and pod network namespaces all the
 * time: one console run beside conformance-node-volumes saw 425 such changes in 115 s, and the page's
 * LISTs, the sign-in's GET /api, a scale PATCH and a followed log failed with it (the page showed the
 * error; the test waited 30 s for the answer). The server never saw those requests. A user's browser
 * is not on the node whose pods churn, so the test's browser should not be either.
 *
 * How: chromium-netns.sh (beside this file) runs `unshare --net` and chromium-netns.mjs in the new
 * namespace (only its own loopback, which nothing changes): it forwards a TCP port on that loopback
 * to the unix socket of this relay (unix sockets cross network namespaces) and starts Chromium with
 * it as SOCKS5 proxy for every address, loopback included. The relay connects only to loopback addresses:
 * the browser reaches the servers the test started on 127.0.0.1 and nothing else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, isIP, type Socket } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../agent/testing/private-containerd.js';

/** The launcher Playwright runs as Chromium (it execs the real one inside the namespace). */
export const NETNS_LAUNCHER = join(REPO_ROOT, 'src', 'testing', 'chromium-netns.sh');

export interface LoopbackRelay {
  /** Environment for the launcher: the relay's socket, the real Chromium and this Node. */
  env(chromium: string): Record<string, string>;
  close(): Promise<void>;
}

const isLoopback = (host: string): boolean => host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.'));

/** Reads exactly `n` bytes (SOCKS5 messages are small and come first on the connection). */
function reader(s: Socket): (n: number) => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  let want: { n: number; resolve: (b: Buffer) => void } | undefined;
  const pump = (): void => {
    if (!want || buf.length < want.n) return;
    const { n, resolve } = want;
    want = undefined;
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    resolve(out);
  };
  const onData = (d: Buffer): void => {
    buf = Buffer.concat([buf, d]);
    pump();
  };
  s.on('data', onData);
  return (n) => new Promise<Buffer>((resolve) => {
    want = { n, resolve };
    pump();
  });
}

/**
 * One SOCKS5 CONNECT (RFC 1928, no authentication) to a loopback address, then bytes both ways.
 * Anything else is answered with a failure reply and closed.
 */
async function socks5(s: Socket): Promise<void> {
  const read = reader(s);
  const [ver, nMethods] = await read(2);
  if (ver !== 5) return void s.destroy();
  await read(nMethods!);
  s.write(Buffer.from([5, 0]));
  const [, cmd, , atyp] = await read(4);
  let host: string;
  if (atyp === 1) host = [...(await read(4))].join('.');
  else if (atyp === 3) host = (await read((await read(1))[0]!)).toString('latin1');
  // 8: address type not supported (IPv6: the test servers listen on 127.0.0.1).
  else return void s.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
  const port = (await read(2)).readUInt16BE(0);
  // 2: not allowed by the ruleset; 7: command not supported.
  if (cmd !== 1) return void s.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
  if (!isLoopback(host)) return void s.end(Buffer.from([5, 2, 0, 1, 0, 0, 0, 0, 0, 0]));
  s.removeAllListeners('data');
  s.pause();
  const up = connect({ host, port });
  let connected = false;
  up.once('connect', () => {
    connected = true;
    s.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    up.pipe(s).pipe(up);
  });
  // 5: connection refused (what the page would have seen without the relay).
  up.once('error', () => (connected ? s.destroy() : s.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))));
  // A side that closes ends the other once its last bytes are written; an error resets both.
  s.once('error', () => up.destroy());
  s.once('close', () => up.end());
  up.once('close', () => connected && s.end());
}

/** Starts the relay on a unix socket in a temporary directory (removed by close()). */
export async function startLoopbackRelay(): Promise<LoopbackRelay> {
  const dir = mkdtempSync('/tmp/bosun-browser-relay-');
  const path = join(dir, 'socks.sock');
  const open = new Set<Socket>();
  const server = createServer((s) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    s.on('error', () => undefined);
    socks5(s).catch(() => s.destroy());
  });
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    env: (chromium) => ({ BOSUN_BROWSER_RELAY: path, BOSUN_CHROMIUM: chromium, BOSUN_NODE: process.execPath }),
    async close() {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
