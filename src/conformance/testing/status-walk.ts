/**
 * The status-subresource walk the [sig-apps] "should validate <Kind> Status endpoints" conformance
 * tests share (deployment.go, replica_set.go, daemon_set.go, statefulset.go): read /status, append a
 * StatusUpdate condition by update (retried on conflicts: the controller writes status too) and see
 * it in a watch from `listRV`, then merge-patch a StatusPatched condition in and see that too.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceClient } from '../../client/resource-client.js';
import { eventually } from '../../testing/eventually.js';
import { WAIT, watchUntil } from './deployment-waits.js';

type Condition = { type: string; status: string; reason?: string; message?: string };
const conditionsOf = (o: KubeObject) => (o.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];

export async function walkStatusEndpoints<T extends KubeObject>(client: KubeClient, rc: ResourceClient<T>, statusPath: string, name: string, watch: { labelSelector: string; resourceVersion?: string }): Promise<void> {
  const st = await client.raw<KubeObject>('GET', statusPath);
  assert.equal(st.metadata.name, name, 'GET /status');
  await eventually(async () => {
    const cur = await rc.get(name);
    const status = (cur.status ?? {}) as { conditions?: Condition[] };
    (cur as KubeObject).status = { ...status, conditions: [...(status.conditions ?? []), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }] };
    return rc.updateStatus(cur);
  }, 'the status update', { ...WAIT, retryErrors: true });
  await watchUntil(rc, watch, (ev) => ev.object.metadata.name === name && conditionsOf(ev.object).some((c) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test'), 'the status to be updated');
  const patched = await rc.patch(name, 'merge', { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } }, { subresource: 'status' });
  assert.ok(conditionsOf(patched).some((c) => c.type === 'StatusPatched'), JSON.stringify(patched.status));
  await watchUntil(rc, watch, (ev) => ev.object.metadata.name === name && conditionsOf(ev.object).some((c) => c.type === 'StatusPatched'), 'the status to be patched');
}
