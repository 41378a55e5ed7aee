/**
 * A minimal DNS client (dns-packet) for tests and diagnostics: one query over UDP or TCP.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';

/** Send one query over UDP or TCP and decode the answer. */
export function queryDns(port: number, name: string, type: RecordType, tcp = false, host = '127.0.0.1'): Promise<DecodedPacket> {
  const id = Math.floor(Math.random() * 65536);
  const q = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer for ${name}`)), 5000);
    if (!tcp) {
      const sock = createSocket('udp4');
      sock.on('message', (msg) => {
        clearTimeout(timer);
        sock.close();
        resolve(dnsPacket.decode(msg));
      });
      sock.send(q, port, host);
      return;
    }
    const conn = connect(port, host, () => conn.write(dnsPacket.streamEncode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] })));
    let buf = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        conn.destroy();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    conn.on('error', reject);
  });
}
