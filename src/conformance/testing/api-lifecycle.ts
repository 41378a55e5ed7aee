/**
 * The API-operations walk many upstream conformance tests share (flowcontrol.go,
 * validatingadmissionpolicy.go, webhook.go, ...): the group, version and resource (and its status)
 * in discovery, then create, get, list by label, watch, patch, update, the status subresource's
 * get/patch/update, delete and deletecollection, each checked on the next read.
 */
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { WatchReader } from './watch-reader.js';

export interface LifecycleSpec {
  ref: ResourceRef;
  namespace?: string;
  /** An object named `name` with `labels` (the walk makes three). */
  make(name: string, labels: Record<string, string>): KubeObject;
  /**
   * The resource has a status subresource. `true`: a condition is patched in, then another updated
   * in. A function: the status fields to patch in (n = 1), then to update in (n = 2), checked on reads.
   */
  status?: boolean | ((n: number) => Record<string, unknown>);
}

/** The discovery part: group in /apis, version in the group, resource (and status) in the version. */
export async function checkDiscovery(client: KubeClient, ref: ResourceRef, subresources: string[] = []): Promise<void> {
  const gv = ref.group ? `${ref.group}/${ref.version}` : ref.version;
  if (ref.group) {
    const groups = await client.raw<{ groups: { name: string; versions: { groupVersion: string }[] }[] }>('GET', '/apis');
    assert.ok(groups.groups.find((g) => g.name === ref.group)?.versions.some((v) => v.groupVersion === gv), `${gv} in /apis`);
    const group = await client.raw<{ versions: { groupVersion: string }[] }>('GET', `/apis/${ref.group}`);
    assert.ok(group.versions.some((v) => v.groupVersion === gv), `${gv} in /apis/${ref.group}`);
  }
  const list = await client.raw<{ resources: { name: string; verbs: string[] }[] }>('GET', ref.group ? `/apis/${gv}` : '/api/v1');
  const names = list.resources.map((r) => r.name);
  for (const r of [ref.resource, ...subresources.map((s) => `${ref.resource}/${s}`)]) assert.ok(names.includes(r), `${r} in ${gv}`);
  const verbs = list.resources.find((r) => r.name === ref.resource)!.verbs;
  for (const v of ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']) assert.ok(verbs.includes(v), `${ref.resource} supports ${v}`);
}

export async function walkLifecycle(client: KubeClient, spec: LifecycleSpec, prefix: string): Promise<void> {
  const { ref, namespace: ns } = spec;
  const rc = client.resource(ref, ns);
  await checkDiscovery(client, ref, spec.status ? ['status'] : []);
  const labels = { [`${prefix}-static`]: 'true' };
  const selector = `${prefix}-static=true`;
  const names = [1, 2, 3].map((i) => `${prefix}-${i}`);
  for (const n of names) await rc.create(spec.make(n, labels));
  const got = await rc.get(names[0]!);
  assert.equal(got.metadata.name, names[0]);
  const listed = await rc.list({ labelSelector: selector });
  assert.deepEqual(listed.items.map((o) => o.metadata.name).sort(), names);
  const w = new WatchReader(await rc.watch({ labelSelector: selector, resourceVersion: listed.metadata.resourceVersion }));
  try {
    const patched = await rc.patch(names[0]!, 'merge', { metadata: { annotations: { patched: 'true' } } });
    assert.equal(patched.metadata.annotations?.patched, 'true');
    assert.equal((await w.expect('MODIFIED', names[0]!)).object.metadata.annotations?.patched, 'true');
    const cur = await rc.get(names[0]!);
    const updated = await rc.update({ ...cur, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, updated: 'true' } } });
    assert.equal(updated.metadata.annotations?.updated, 'true');
    assert.equal((await w.expect('MODIFIED', names[0]!)).object.metadata.annotations?.updated, 'true');
  } finally {
    w.stop();
  }
  if (typeof spec.status === 'function') await walkStatusFields(rc, names[0]!, spec.status);
  else if (spec.status) {
    const path = `${ref.group ? `/apis/${ref.group}/${ref.version}` : '/api/v1'}${ns ? `/namespaces/${ns}` : ''}/${ref.resource}/${names[0]}/status`;
    const status = await client.raw<KubeObject>('GET', path);
    assert.equal(status.metadata.name, names[0]);
    const condition = (type: string) => ({ type, status: 'False', reason: 'E2E', message: 'Set from an e2e test', lastTransitionTime: '2024-01-01T00:00:00Z' });
    const statusPatched = await rc.patch(names[0]!, 'merge', { status: { conditions: [condition('StatusPatched')] } }, { subresource: 'status' });
    const typesOf = (o: KubeObject) => ((o.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).map((c) => c.type);
    assert.ok(typesOf(statusPatched).includes('StatusPatched'), JSON.stringify(statusPatched.status));
    const before = await rc.get(names[0]!);
    const conditions = [...((before.status as { conditions?: object[] } | undefined)?.conditions ?? []), condition('StatusUpdated')];
    const statusUpdated = await rc.updateStatus({ ...before, status: { ...(before.status as object), conditions } });
    assert.ok(typesOf(statusUpdated).includes('StatusUpdated'), JSON.stringify(statusUpdated.status));
    assert.ok(typesOf(await rc.get(names[0]!)).includes('StatusUpdated'), 'visible to the next read');
  }
  await rc.delete(names[0]!);
  assert.deepEqual((await rc.list({ labelSelector: selector })).items.map((o) => o.metadata.name).sort(), names.slice(1));
  await rc.deleteCollection({ labelSelector: selector });
  assert.deepEqual((await rc.list({ labelSelector: selector })).items, []);
}

/** The status subresource by the resource's own status fields: merge-patched in, then updated in. */
async function walkStatusFields(rc: ReturnType<KubeClient['resource']>, name: string, fields: (n: number) => Record<string, unknown>): Promise<void> {
  const has = (o: KubeObject, want: Record<string, unknown>) => Object.entries(want).every(([k, v]) => JSON.stringify((o.status as Record<string, unknown> | undefined)?.[k]) === JSON.stringify(v));
  const patched = await rc.patch(name, 'merge', { status: fields(1) }, { subresource: 'status' });
  assert.ok(has(patched, fields(1)), JSON.stringify(patched.status));
  const before = await rc.get(name);
  const updated = await rc.updateStatus({ ...before, status: { ...(before.status as object), ...fields(2) } });
  assert.ok(has(updated, fields(2)), JSON.stringify(updated.status));
  assert.ok(has(await rc.get(name), fields(2)), 'visible to the next read');
}
