/**
 * CustomResourceMonitors against a scripted discovery and recording informers: which monitors a
 * round starts, stops and replaces (upstream syncMonitors), including a group whose discovery fails,
 * whose monitors stay. custom-resources.test.ts shows the same against a real API server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../../api/status.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import type { SharedInformerFactory } from '../../controller-runtime/informer/informer-factory.js';
import { CustomResourceMonitors } from './custom-monitors.js';

interface Served { group: string; version: string; resources: { name: string; kind: string; namespaced: boolean }[] }
const VERBS = ['list', 'watch', 'delete'];

/** A discovery server whose answers the test changes between rounds; `broken` groups answer 503. */
function discovery(): { client: KubeClient; served: Served[]; broken: Set<string>; invalidations: number } {
  const d = { served: [] as Served[], broken: new Set<string>(), invalidations: 0, client: undefined as unknown as KubeClient };
  d.client = {
    raw: async (_method: string, path: string) => {
      if (path === '/apis') return { groups: d.served.map((g) => ({ name: g.group, preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version } })) };
      const g = d.served.find((s) => path === `/apis/${s.group}/${s.version}`);
      if (!g) throw failure(404, 'NotFound', path);
      if (d.broken.has(g.group)) throw failure(503, 'ServiceUnavailable', path);
      return { resources: g.resources.map((r) => ({ ...r, verbs: VERBS })) };
    },
    invalidateDiscovery: () => { d.invalidations++; },
  } as unknown as KubeClient;
  return d;
}

/** Informers that record their life: `${version}/${resource}` started, then stopped. */
function informers(): { factory: SharedInformerFactory; running: Set<string>; stopped: string[] } {
  const r = { running: new Set<string>(), stopped: [] as string[], factory: undefined as unknown as SharedInformerFactory };
  r.factory = {
    unshared: (ref: ResourceRef) => {
      const id = `${ref.version}/${ref.resource}/${ref.namespaced ? 'ns' : 'cluster'}`;
      return {
        addEventHandler: () => undefined,
        start: () => { r.running.add(id); },
        stop: async () => { r.running.delete(id); r.stopped.push(id); },
      };
    },
  } as unknown as SharedInformerFactory;
  return r;
}

test('monitors follow discovery: started, stopped when not served, replaced when changed, kept when their group fails', async () => {
  const d = discovery();
  const inf = informers();
  const stoppedRefs: string[] = [];
  const m = new CustomResourceMonitors(d.client, inf.factory, new Set(['fixed.io/things']), {
    handlerFor: () => ({}),
    stopped: (ref) => stoppedRefs.push(`${ref.version}/${ref.resource}`),
  });
  const widgets = { name: 'widgets', kind: 'Widget', namespaced: true };
  const gears = { name: 'gears', kind: 'Gear', namespaced: true };
  d.served.push({ group: 'example.com', version: 'v1', resources: [widgets, gears] });
  d.served.push({ group: 'other.io', version: 'v1', resources: [{ name: 'cogs', kind: 'Cog', namespaced: false }] });
  d.served.push({ group: 'fixed.io', version: 'v1', resources: [{ name: 'things', kind: 'Thing', namespaced: true }] });
  await m.sync();
  assert.deepEqual([...inf.running].sort(), ['v1/cogs/cluster', 'v1/gears/ns', 'v1/widgets/ns'], 'one monitor per custom resource, none for a fixed one');

  // The Gear CRD deleted; Widgets recreated cluster-scoped at v2; other.io's discovery failing.
  d.served[0] = { group: 'example.com', version: 'v2', resources: [{ ...widgets, namespaced: false }] };
  d.broken.add('other.io');
  const before = d.invalidations;
  await m.sync();
  assert.deepEqual([...inf.running].sort(), ['v1/cogs/cluster', 'v2/widgets/cluster']);
  assert.deepEqual(inf.stopped.sort(), ['v1/gears/ns', 'v1/widgets/ns']);
  assert.deepEqual(stoppedRefs.sort(), ['v1/gears', 'v1/widgets'], 'the graph told of each stop');
  assert.equal(d.invalidations, before + 1, 'a change drops the client\'s cached discovery');
  assert.deepEqual(m.resources().map((r) => `${r.group}/${r.version}/${r.resource}`).sort(), ['example.com/v2/widgets', 'other.io/v1/cogs']);

  // other.io no longer served at all: its monitor stops. A round without change invalidates nothing.
  d.served.splice(1, 1);
  await m.sync();
  assert.deepEqual([...inf.running], ['v2/widgets/cluster']);
  const settled = d.invalidations;
  await m.sync();
  assert.equal(d.invalidations, settled);

  await m.stop();
  assert.deepEqual([...inf.running], [], 'stop ends every monitor');
  await m.sync();
  assert.deepEqual([...inf.running], [], 'and no round starts one after');
});
