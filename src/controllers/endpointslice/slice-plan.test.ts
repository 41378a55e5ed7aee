/** planSlices (stored slices matched to unnamed desired ones by ports, as upstream's reconciler) and the SliceTracker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../../api/kinds/core/service.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../api/kinds/discovery/endpoint-slice.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './desired-slices.js';
import { planSlices } from './slice-plan.js';
import { SliceTracker } from './slice-tracker.js';

const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid' }, spec: { selector: { app: 'web' } } };
const HTTP: EndpointSlicePort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ep = (ip: string): Endpoint => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } });

/** A slice as desiredSlices makes it (generateName) or, with a name, as stored. */
function slice(endpoints: Endpoint[], ports: EndpointSlicePort[] = HTTP, stored?: { name: string; rv?: string; owner?: string }): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      ...(stored ? { name: stored.name, resourceVersion: stored.rv ?? '1' } : { generateName: 'web-' }), namespace: 'ns',
      labels: { [SERVICE_NAME_LABEL]: 'web', [MANAGED_BY_LABEL]: CONTROLLER_NAME },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: stored?.owner ?? 'svc-uid', controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4', endpoints, ports,
  };
}
const names = (s: EndpointSlice[]): (string | undefined)[] => s.map((x) => x.metadata.name);

describe('planSlices', () => {
  it('nothing stored: every desired slice is created by generateName', () => {
    const plan = planSlices(svc, [], [slice([ep('10.42.0.1')])]);
    assert.deepEqual([plan.create.map((s) => s.metadata.generateName), plan.update, plan.delete], [['web-'], [], []]);
  });

  it('a stored slice saying the same is left alone; one saying something else is updated under its name', () => {
    const stored = slice([ep('10.42.0.1')], HTTP, { name: 'web-abcde', rv: '7' });
    assert.deepEqual(planSlices(svc, [stored], [slice([ep('10.42.0.1')])]), { create: [], update: [], delete: [] });
    const plan = planSlices(svc, [stored], [slice([ep('10.42.0.2')])]);
    assert.deepEqual([names(plan.update), plan.update[0]?.metadata.resourceVersion, plan.create, plan.delete], [['web-abcde'], '7', [], []]);
  });

  it('the placeholder becomes the first real slice (a create turned into an update, as upstream\'s finalize)', () => {
    const placeholder = slice([], [], { name: 'web-pl4ce' });
    const plan = planSlices(svc, [placeholder], [slice([ep('10.42.0.1')])]);
    assert.deepEqual([names(plan.update), plan.update[0]?.endpoints, plan.create, plan.delete], [['web-pl4ce'], [ep('10.42.0.1')], [], []]);
  });

  it('slices no longer needed are deleted; a slice of another Service of the same name is not reused', () => {
    const a = slice([ep('10.42.0.1')], HTTP, { name: 'web-aaaaa' });
    const b = slice([ep('10.42.0.2')], HTTP, { name: 'web-bbbbb' });
    const shrunk = planSlices(svc, [a, b], [slice([ep('10.42.0.1')])]);
    assert.deepEqual([shrunk.create, shrunk.update, names(shrunk.delete)], [[], [], ['web-bbbbb']]);
    const old = slice([], [], { name: 'web-0ld00', owner: 'old-uid' });
    const plan = planSlices(svc, [old], [slice([ep('10.42.0.1')])]);
    assert.deepEqual([plan.create.length, plan.update, names(plan.delete)], [1, [], ['web-0ld00']]);
  });
});

describe('SliceTracker', () => {
  const stored = (name: string, rv: string) => slice([], HTTP, { name, rv });

  it('stale until the cache shows each slice written, at that resourceVersion or later', () => {
    const t = new SliceTracker();
    assert.equal(t.stale('ns/web', []), false, 'nothing written');
    t.wrote('ns/web', stored('web-x1y2z', '10'));
    assert.equal(t.stale('ns/web', []), true, 'the created slice not yet seen');
    assert.equal(t.stale('ns/web', [stored('web-x1y2z', '9')]), true, 'an older copy');
    assert.equal(t.stale('ns/web', [stored('web-x1y2z', '12')]), false);
    assert.equal(t.stale('ns/web', []), false, 'met expectations are dropped');
  });

  it('stale until a deleted slice is gone; forget (its delete event) ends the wait', () => {
    const t = new SliceTracker();
    t.deleted('ns/web', 'web-x1y2z');
    assert.equal(t.stale('ns/web', [stored('web-x1y2z', '3')]), true);
    assert.equal(t.stale('ns/web', []), false);
    t.wrote('ns/web', stored('web-q', '5'));
    t.forget('ns/web', 'web-q');
    assert.equal(t.stale('ns/web', []), false, 'deleted by someone else: nothing to wait for');
    assert.equal(t.stale('ns/other', []), false, 'per Service');
  });
});
