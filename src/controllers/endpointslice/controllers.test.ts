/**
 * The EndpointSlice and Endpoints controllers against an in-process API server: pods come, turn
 * ready and not ready, terminate and go; the Service is deleted. Asserts what the stored slices and
 * Endpoints say.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Endpoints } from '../../api/kinds/core/endpoints.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { addEndpointsController } from '../endpoints/endpoints-controller.js';
import { addEndpointSliceController } from './endpointslice-controller.js';

const NS = 'default';
const eventually = eventuallyWith({ retryErrors: true });

describe('endpoint controllers', () => {
  let env: ControllerEnv;
  let client: KubeClient;

  before(async () => {
    env = await startControllerEnv({
      add: (mgr) => {
        addEndpointSliceController(mgr);
        addEndpointsController(mgr);
      },
    });
    ({ client } = env);
  });
  after(() => env?.stop());

  const slicesOf = async (svc: string): Promise<EndpointSlice[]> =>
    (await client.resource<EndpointSlice>(resources.endpointslices, NS).list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;
  const endpointsOf = (svc: string): Promise<Endpoints> => client.endpoints<Endpoints>(NS).get(svc);

  async function runPod(name: string, ip: string, ready: boolean): Promise<void> {
    const pods = client.pods<Pod>(NS);
    try {
      await pods.create({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, labels: { app: 'web' } },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
      } as Pod);
    } catch {
      // exists already: only the status changes
    }
    const cur = await pods.get(name);
    await pods.updateStatus({ ...cur, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } } as Pod);
  }

  it('follows pods through ready, not ready, terminating and gone', async () => {
    await client.services(NS).create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } as KubeObject);
    // A placeholder slice while no pod runs.
    const placeholder = await eventually(async () => {
      const s = await slicesOf('web');
      return s.length === 1 && s[0]!.endpoints.length === 0 ? s[0] : undefined;
    }, 'placeholder slice');
    // Named by the API server from generateName `<service>-` (5 random characters), as upstream's
    // newEndpointSlice (Bosun named it <service>-<hash of ports> before).
    assert.equal(placeholder.metadata.generateName, 'web-');
    assert.match(placeholder.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);

    await runPod('web-a', '10.42.0.11', true);
    await runPod('web-b', '10.42.0.12', false);
    const slice = await eventually(async () => {
      const s = await slicesOf('web');
      return s.length === 1 && s[0]!.endpoints.length === 2 ? s[0] : undefined;
    }, 'two endpoints');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(slice.metadata.name, placeholder.metadata.name, 'the placeholder updated into the real slice, not replaced');
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    const a = slice.endpoints.find((e) => e.targetRef?.name === 'web-a')!;
    const b = slice.endpoints.find((e) => e.targetRef?.name === 'web-b')!;
    assert.deepEqual(a.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(b.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(a.nodeName, 'n1');
    const ep = await eventually(async () => {
      const e = await endpointsOf('web');
      return e.subsets?.[0]?.notReadyAddresses?.length ? e : undefined;
    }, 'endpoints with a not-ready address');
    assert.deepEqual(ep.subsets?.[0]?.addresses?.map((x) => x.ip), ['10.42.0.11']);
    assert.deepEqual(ep.subsets?.[0]?.notReadyAddresses?.map((x) => x.ip), ['10.42.0.12']);

    // web-a turns not ready: it leaves the ready set.
    await runPod('web-a', '10.42.0.11', false);
    await eventually(async () => ((await slicesOf('web'))[0]?.endpoints.every((e) => e.conditions?.ready === false) ? true : undefined), 'no ready endpoint');
    await eventually(async () => ((await endpointsOf('web')).subsets?.[0]?.addresses === undefined ? true : undefined), 'no ready address');

    // web-b turns ready, then is deleted gracefully: terminating, not ready, still serving.
    await runPod('web-b', '10.42.0.12', true);
    await eventually(async () => ((await slicesOf('web'))[0]?.endpoints.some((e) => e.conditions?.ready) ? true : undefined), 'web-b ready');
    await client.pods(NS).delete('web-b', { gracePeriodSeconds: 30 });
    const term = await eventually(async () => (await slicesOf('web'))[0]?.endpoints.find((e) => e.targetRef?.name === 'web-b' && e.conditions?.terminating), 'web-b terminating');
    assert.deepEqual(term.conditions, { ready: false, serving: true, terminating: true });
    await eventually(async () => {
      const e = await endpointsOf('web');
      return (e.subsets ?? []).every((s) => ![...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].some((x) => x.ip === '10.42.0.12')) ? true : undefined;
    }, 'web-b out of Endpoints');

    // Gone for good.
    await client.pods(NS).delete('web-b', { gracePeriodSeconds: 0 });
    await eventually(async () => ((await slicesOf('web'))[0]?.endpoints.length === 1 ? true : undefined), 'web-b gone');

    await client.services(NS).delete('web');
    await eventually(async () => ((await slicesOf('web')).length === 0 ? true : undefined), 'slices removed');
    await eventually(async () => {
      try {
        await endpointsOf('web');
        return undefined;
      } catch {
        return true;
      }
    }, 'endpoints removed');
  });

  it('leaves the kubernetes Service endpoints to the API server', async () => {
    const slices = await slicesOf('kubernetes');
    assert.equal(slices.length, 1);
    assert.equal(slices[0]!.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'bosun-apiserver');
    const ep = await endpointsOf('kubernetes');
    assert.deepEqual(ep.subsets?.[0]?.ports, [{ name: 'https', port: env.ts.port, protocol: 'TCP' }]);
  });
});
