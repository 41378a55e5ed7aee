/** desiredSlices and desiredEndpoints on hand-made Services and pods (table-driven where it fits). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Service } from '../../api/kinds/core/service.js';
import { desiredEndpoints } from '../endpoints/desired-endpoints.js';
import { CONTROLLER_NAME, desiredSlices, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, sliceMatches } from './desired-slices.js';
import { endpointConditions, findPort, shouldPodBeInEndpoints } from '../../api/endpoints/pod-endpoints.js';

function service(spec: Partial<NonNullable<Service['spec']>> = {}, name = 'web'): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], clusterIP: '10.43.0.10', ...spec },
  };
}

interface PodOpts { ip?: string; ready?: boolean; deleting?: boolean; httpPort?: number; phase?: string; restartPolicy?: 'Always' | 'Never' | 'OnFailure'; node?: string; hostname?: string; subdomain?: string }

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: o.node ?? 'n1', restartPolicy: o.restartPolicy ?? 'Always', hostname: o.hostname, subdomain: o.subdomain,
      containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: o.httpPort ?? 8080, protocol: 'TCP' }] }],
    },
    status: {
      phase: o.phase ?? 'Running', podIP: o.ip === '' ? undefined : (o.ip ?? '10.42.0.1'),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as Pod;
}

describe('pod endpoint facts', () => {
  const cases: { name: string; svc: Partial<NonNullable<Service['spec']>>; pod: PodOpts; want: { ready: boolean; serving: boolean; terminating: boolean } }[] = [
    { name: 'ready pod', svc: {}, pod: {}, want: { ready: true, serving: true, terminating: false } },
    { name: 'not-ready pod gets no traffic', svc: {}, pod: { ready: false }, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating ready pod leaves ready at once but keeps serving', svc: {}, pod: { deleting: true }, want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating not-ready pod', svc: {}, pod: { deleting: true, ready: false }, want: { ready: false, serving: false, terminating: true } },
    { name: 'publishNotReadyAddresses makes not-ready pods ready, not serving (upstream podToEndpoint: serving := IsPodReady)', svc: { publishNotReadyAddresses: true }, pod: { ready: false }, want: { ready: true, serving: false, terminating: false } },
    { name: 'publishNotReadyAddresses keeps a terminating pod ready', svc: { publishNotReadyAddresses: true }, pod: { deleting: true }, want: { ready: true, serving: true, terminating: true } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(endpointConditions(service(c.svc), pod('p', c.pod)), c.want));
  }

  const inclusion: { name: string; pod: PodOpts; includeTerminating: boolean; want: boolean }[] = [
    { name: 'no IP', pod: { ip: '' }, includeTerminating: true, want: false },
    { name: 'terminating, slices include it', pod: { deleting: true }, includeTerminating: true, want: true },
    { name: 'terminating, endpoints leave it out', pod: { deleting: true }, includeTerminating: false, want: false },
    { name: 'Never + Succeeded', pod: { restartPolicy: 'Never', phase: 'Succeeded' }, includeTerminating: true, want: false },
    { name: 'OnFailure + Failed (will restart)', pod: { restartPolicy: 'OnFailure', phase: 'Failed' }, includeTerminating: true, want: true },
    { name: 'Always + Failed', pod: { phase: 'Failed' }, includeTerminating: true, want: true },
  ];
  for (const c of inclusion) {
    it(`inclusion: ${c.name}`, () => assert.equal(shouldPodBeInEndpoints(pod('p', c.pod), c.includeTerminating), c.want));
  }

  it('resolves numbered and named target ports', () => {
    assert.equal(findPort(pod('p'), { port: 80, targetPort: 9090 }), 9090);
    assert.equal(findPort(pod('p'), { port: 80, targetPort: 'http' }), 8080);
    assert.equal(findPort(pod('p'), { port: 80, targetPort: 'http', protocol: 'UDP' }), undefined);
    assert.equal(findPort(pod('p'), { port: 80 }), 80);
  });
});

describe('desiredSlices', () => {
  it('one slice with labels, owner, ports and one endpoint per pod', () => {
    const [s, ...rest] = desiredSlices(service(), [pod('b', { ip: '10.42.0.2', node: 'n2' }), pod('a', { ready: false })]);
    assert.equal(rest.length, 0);
    assert.equal(s!.metadata.labels?.[SERVICE_NAME_LABEL], 'web');
    assert.equal(s!.metadata.labels?.[MANAGED_BY_LABEL], CONTROLLER_NAME);
    assert.equal(s!.metadata.labels?.team, 'a');
    assert.equal(s!.metadata.ownerReferences?.[0]?.uid, 'svc-uid');
    assert.deepEqual(s!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(s!.endpoints, [
      { addresses: ['10.42.0.1'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
      { addresses: ['10.42.0.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n2', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } },
    ]);
  });

  it('pods resolving a named port differently go to different slices', () => {
    const slices = desiredSlices(service(), [pod('a', { httpPort: 8080 }), pod('b', { ip: '10.42.0.2', httpPort: 9090 })]);
    assert.equal(slices.length, 2);
    assert.deepEqual(slices.map((s) => s.ports?.[0]?.port).sort(), [8080, 9090]);
  });

  it('slices are named by the API server from generateName `<service>-`, as upstream\'s newEndpointSlice', () => {
    const slices = [...desiredSlices(service(), [pod('a')]), ...desiredSlices(service({}, 'api'), [])];
    assert.deepEqual(slices.map((s) => [s.metadata.name, s.metadata.generateName]), [[undefined, 'web-'], [undefined, 'api-']]);
  });

  it('a placeholder slice with no endpoints when nothing matches; headless label', () => {
    const [s, ...rest] = desiredSlices(service({ clusterIP: 'None' }), []);
    assert.equal(rest.length, 0);
    assert.deepEqual(s!.endpoints, []);
    assert.equal(s!.metadata.labels?.['service.kubernetes.io/headless'], '');
  });

  it('at most 100 endpoints per slice, the same slices whatever the pods\' order', () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, { ip: `10.42.${i >> 8}.${i & 255}` }));
    const a = desiredSlices(service(), pods);
    assert.deepEqual(a.map((s) => s.endpoints.length), [100, 100, 50]);
    const b = desiredSlices(service(), [...pods].reverse());
    assert.ok(a.every((s, i) => sliceMatches(s, b[i]!)));
  });

  it('hostname only when the pod subdomain is the Service name', () => {
    const [s] = desiredSlices(service(), [pod('a', { hostname: 'h0', subdomain: 'web' }), pod('b', { ip: '10.42.0.2', hostname: 'h1', subdomain: 'other' })]);
    assert.deepEqual(s!.endpoints.map((e) => e.hostname), ['h0', undefined]);
  });
});

describe('desiredEndpoints', () => {
  it('ready pods in addresses, not-ready in notReadyAddresses, terminating left out', () => {
    const ep = desiredEndpoints(service(), [pod('a', { ip: '10.42.0.10' }), pod('b', { ip: '10.42.0.9', ready: false }), pod('c', { ip: '10.42.0.3', deleting: true }), pod('d', { ip: '10.42.0.2' })]);
    assert.deepEqual(ep.subsets, [{
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      addresses: [
        { ip: '10.42.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'd', uid: 'uid-d' } },
        { ip: '10.42.0.10', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
      ],
      notReadyAddresses: [{ ip: '10.42.0.9', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }],
    }]);
  });

  it('publishNotReadyAddresses puts every pod, terminating too, in addresses', () => {
    const ep = desiredEndpoints(service({ publishNotReadyAddresses: true }), [pod('a', { ready: false }), pod('c', { ip: '10.42.0.3', deleting: true })]);
    assert.deepEqual(ep.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.42.0.1', '10.42.0.3']);
    assert.equal(ep.subsets?.[0]?.notReadyAddresses, undefined);
  });

  it('no pods: no subsets', () => {
    assert.deepEqual(desiredEndpoints(service(), []).subsets, []);
  });
});
