/** CoreDNS's metric names on the node's registry: each query counted by type and protocol, timed, and its rcode counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import { nodeRegistry } from '../controller-runtime/exposition.js';
import { parseExposition, samplesOf } from '../testing/prometheus-text.js';
import { DnsHandler } from './server.js';

const query = (name: string, type: 'A' | 'SRV') => dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

test('coredns_dns_requests_total, _request_duration_seconds and _responses_total', async () => {
  const h = new DnsHandler({ port: 10053, view: { service: () => undefined, endpointSlices: () => [] } });
  const before = parseExposition(nodeRegistry.text());
  const count = (e: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string>) => samplesOf(e, name, labels)[0]?.value ?? 0;
  const server = 'dns://:10053';
  await h.handle(query('nothere.default.svc.cluster.local', 'A'), false);
  await h.handle(query('_http._tcp.nothere.default.svc.cluster.local', 'SRV'), true);
  h.close();
  const e = parseExposition(nodeRegistry.text());
  assert.equal(count(e, 'coredns_dns_requests_total', { server, zone: '.', proto: 'udp', family: '1', type: 'A' })
    - count(before, 'coredns_dns_requests_total', { server, zone: '.', proto: 'udp', family: '1', type: 'A' }), 1);
  assert.equal(count(e, 'coredns_dns_requests_total', { server, proto: 'tcp', type: 'SRV' }) - count(before, 'coredns_dns_requests_total', { server, proto: 'tcp', type: 'SRV' }), 1);
  assert.equal(count(e, 'coredns_dns_responses_total', { server, rcode: 'NXDOMAIN' }) - count(before, 'coredns_dns_responses_total', { server, rcode: 'NXDOMAIN' }), 2);
  assert.equal(count(e, 'coredns_dns_request_duration_seconds_count', { server, type: 'A' }) - count(before, 'coredns_dns_request_duration_seconds_count', { server, type: 'A' }), 1);
  assert.equal(e.types.get('coredns_dns_request_duration_seconds'), 'histogram');
});
