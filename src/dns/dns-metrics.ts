/**
 * The cluster DNS server's Prometheus metrics under CoreDNS's names (plugin/metrics/vars), served
 * with the rest of the node's on the agent's /metrics (controller-runtime/exposition.ts). Labels as
 * CoreDNS sets them: server "dns://:<port>", zone "." (the metrics plugin's catch-all), proto udp|tcp,
 * family "1" (IPv4), type the query type (A, AAAA, SRV, PTR... others as "other").
 */
import { Counter, exponentialBuckets, Histogram, monotonicSeconds, nodeRegistry } from '../controller-runtime/exposition.js';

const requests = nodeRegistry.register(new Counter('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type']));
const duration = nodeRegistry.register(new Histogram('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.',
  exponentialBuckets(0.00025, 2, 16), ['server', 'zone', 'view', 'type']));
const responses = nodeRegistry.register(new Counter('coredns_dns_responses_total', 'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin']));

/** CoreDNS's monitored query types (plugin/metrics/vars/monitor.go); the rest count as "other". */
const TYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 39: 'DNAME', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 255: 'ANY', 65: 'HTTPS', 64: 'SVCB', 257: 'CAA', 252: 'AXFR', 251: 'IXFR' };
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The query type of a raw message's first question (after its name), or "other". */
function queryType(raw: Buffer): string {
  let i = 12;
  while (i < raw.length) {
    const len = raw[i]!;
    if (len === 0) break;
    if ((len & 0xc0) === 0xc0) {
      i++;
      break;
    }
    i += len + 1;
  }
  return i + 2 < raw.length ? (TYPES[raw.readUInt16BE(i + 1)] ?? 'other') : 'other';
}

/** Times `answer` and counts the request and its response code. */
export async function measured(server: string, raw: Buffer, tcp: boolean, answer: () => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
  const start = monotonicSeconds();
  const type = queryType(raw);
  requests.inc({ server, zone: '.', view: '', proto: tcp ? 'tcp' : 'udp', family: '1', type });
  const out = await answer();
  duration.observe({ server, zone: '.', view: '', type }, monotonicSeconds() - start);
  if (out && out.length >= 4) responses.inc({ server, zone: '.', view: '', rcode: RCODES[out[3]! & 0xf] ?? String(out[3]! & 0xf), plugin: '' });
  return out;
}
