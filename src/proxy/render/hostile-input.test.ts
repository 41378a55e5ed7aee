/**
 * The renderer's second line of defence (issue 13 #2): objects handed to it directly, bypassing the
 * API's validation, whose rendered fields are nft syntax or not addresses at all. Each is left out
 * whole and reported; no trace of it is in the script; everything else renders exactly as without it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { CASES, ep, slice, svc } from './fixtures.js';
import { renderRuleset } from './ruleset.js';

const base = CASES['clusterip-spread']!;
const INJECT = 'flush ruleset';

/** Hostile objects: [what, services to add, slices to add, the refused object's name]. */
const ROWS: [string, Service[], EndpointSlice[], string][] = [
  ['endpoint address with a statement', [], [slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep(`1.2.3.4; ${INJECT}`, 'node-b')], 'default', 'web-evil')], 'web-evil'],
  ['endpoint address that is a CIDR', [], [slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.0.0.1/0', 'node-b')], 'default', 'web-cidr')], 'web-cidr'],
  ['endpoint port out of range', [], [slice('web', [{ name: 'http', port: 70000, protocol: 'TCP' }], [ep('10.42.9.9', 'node-b')], 'default', 'web-port')], 'web-port'],
  ['endpoint protocol with a statement', [], [slice('web', [{ name: 'http', port: 8080, protocol: `TCP } ; ${INJECT}` as 'TCP' }], [ep('10.42.9.9', 'node-b')], 'default', 'web-proto')], 'web-proto'],
  ['clusterIP with a statement', [svc('evil-cip', { clusterIP: `10.43.0.99 ; ${INJECT}`, ports: [{ port: 80, protocol: 'TCP' }] })], [], 'evil-cip'],
  ['externalIP that is a CIDR', [svc('evil-ext', { clusterIP: '10.43.0.98', externalIPs: ['10.0.0.1/0'], ports: [{ port: 80, protocol: 'TCP' }] })], [], 'evil-ext'],
  ['LoadBalancer ingress with a statement', [svc('evil-lb', { type: 'LoadBalancer', clusterIP: '10.43.0.97', ports: [{ port: 80, protocol: 'TCP', nodePort: 30097 }] },
    { loadBalancer: { ingress: [{ ip: `1.2.3.4 } ; ${INJECT} ; {` }] } })], [], 'evil-lb'],
  ['nodePort out of range', [svc('evil-np', { type: 'NodePort', clusterIP: '10.43.0.96', ports: [{ port: 80, protocol: 'TCP', nodePort: -1 }] })], [], 'evil-np'],
  ['port that is not a number', [svc('evil-port', { clusterIP: '10.43.0.95', ports: [{ port: `80 ; ${INJECT}` as unknown as number, protocol: 'TCP' }] })], [], 'evil-port'],
  ['affinity timeout with a statement', [svc('evil-aff', { clusterIP: '10.43.0.94', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: `1s; ${INJECT}` as unknown as number } }, ports: [{ port: 80, protocol: 'TCP' }] })], [], 'evil-aff'],
  ['name that breaks out of a chain name', [svc(`x} ; ${INJECT}`, { clusterIP: '10.43.0.93', ports: [{ port: 80, protocol: 'TCP' }] })], [], `x} ; ${INJECT}`],
];

test('malformed objects are refused, leave no trace, and the rest renders unchanged', () => {
  const clean = renderRuleset(base);
  assert.deepEqual(clean.refused, []);
  for (const [what, services, slices, name] of ROWS) {
    const r = renderRuleset({ ...base, services: [...base.services, ...services], endpointSlices: [...base.endpointSlices, ...slices] });
    assert.equal(r.text, clean.text, `${what}: the script is the clean one`);
    assert.equal(r.refused.length, 1, what);
    assert.equal(r.refused[0]!.name, name, what);
    assert.doesNotMatch(r.text, /flush|1\.2\.3\.4|10\.0\.0\.1\/0|70000/, what);
  }
});

test('node addresses: malformed ones dropped, sloppy ones canonical; bad configuration throws', () => {
  const r = renderRuleset({ ...base, nodeIPs: ['192.168.050.010', `192.168.50.11 } ; ${INJECT}`, 'fd00::1'] });
  assert.match(r.text, /set nodeport-ips \{[^}]*elements = \{\s*192\.168\.50\.10\s*\}/);
  assert.deepEqual(r.refused.map((x) => x.kind), ['NodeAddress']);
  assert.doesNotMatch(r.text, /flush|050/);
  assert.throws(() => renderRuleset({ ...base, clusterCidr: `10.42.0.0/16 ; ${INJECT}` }), /not an IPv4 CIDR/);
  assert.throws(() => renderRuleset({ ...base, serviceCidr: '0.0.0.0' }), /not an IPv4 CIDR/);
  assert.throws(() => renderRuleset({ ...base, table: 'bosun { }' }), /bad nftables table name/);
});

test('sloppy but valid addresses render canonical (1.32 accepts leading zeros as decimal)', () => {
  const r = renderRuleset({
    ...base,
    services: [svc('web', { clusterIP: '010.043.000.010', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] })],
    endpointSlices: [slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('010.042.000.005', 'node-a')])],
  });
  assert.deepEqual(r.refused, []);
  assert.match(r.text, /10\.43\.0\.10 \. tcp \. 80 : goto service-/);
  assert.match(r.text, /0 : 10\.42\.0\.5 \. 8080/);
  assert.doesNotMatch(r.text, /\b0\d/);
});
