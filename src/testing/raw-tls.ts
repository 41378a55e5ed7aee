/**
 * Raw TLS connections to a test API server as a given identity, for requests a test holds
 * half-sent (a body that never completes holds its seat) or whose answer it reads byte by byte.
 */
import { connect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

/** A TLS connection to 127.0.0.1:`port` as `who` (a client certificate and key); none: no client certificate. */
export function rawConnection(port: number, ca: string, who?: { cert: string; key: string }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, cert: who?.cert, key: who?.key, servername: 'localhost' }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Reads one HTTP response head (status and headers) from a socket, and what of the body came with it. */
export function responseHead(s: TLSSocket): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      resolve({ status: Number(buf.slice(9, 12)), headers: buf.slice(0, end), body: buf.slice(end + 4) });
    };
    s.on('data', onData);
    s.once('error', reject);
  });
}

/** Reads from a socket (an upgraded stream) until `text` came, counting what was `already` read; resolves with all of it. */
export function readUntil(s: Duplex, text: string, already = ''): Promise<string> {
  return new Promise((resolve) => {
    let got = already;
    if (got.includes(text)) return resolve(got);
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (!got.includes(text)) return;
      s.off('data', onData);
      resolve(got);
    };
    s.on('data', onData);
  });
}
