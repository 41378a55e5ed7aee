/**
 * Upstream's API chunking conformance tests (test/e2e/apimachinery/chunking.go): 400 PodTemplates
 * listed in pages of random size with `limit`/`continue`, remainingItemCount and one resourceVersion
 * across the pages; and a continue token whose revision was compacted away answering 410 Expired
 * with an inconsistent-continue token in the Status's metadata, which lists the rest at the latest
 * revision.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeList, KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { resources } from '../client/resource-ref.js';
import type { ResourceClient } from '../client/resource-client.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';

const NS = 'cf-chunking';
const TOTAL = 400;
let env: ClientEnv;
let templates: ResourceClient;

const name = (i: number): string => `template-${String(i).padStart(4, '0')}`;

before(async () => {
  env = await startClientEnv({ namespace: NS });
  templates = env.client.resource(resources.podtemplates, NS);
  const make = async (i: number): Promise<void> => {
    await templates.create({
      apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: name(i) },
      template: { metadata: { labels: { name: name(i) } }, spec: { containers: [{ name: 'test', image: 'registry.k8s.io/pause:3.10' }] } },
    } as KubeObject);
  };
  for (let i = 0; i < TOTAL; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => make(i + k)));
});
after(() => env.stop());

/** upstream's remaining-item check: absent on the last page, else items still to come. */
function checkRemaining(list: KubeList, found: number): void {
  if (!list.metadata.continue) assert.equal(list.metadata.remainingItemCount, undefined);
  else assert.equal(Number(list.metadata.remainingItemCount) + list.items.length + found, TOTAL);
}

/** Lists the rest from `cont` in pages of `limit()`, checking names, sizes and the one resourceVersion. */
async function listRest(found: number, cont: string | undefined, limit: () => number, rv?: string): Promise<number> {
  let lastRV = rv;
  let next = cont;
  for (;;) {
    const n = limit();
    const list = await templates.list({ limit: n, continue: next });
    assert.ok(list.items.length <= n);
    lastRV ??= list.metadata.resourceVersion;
    assert.equal(list.metadata.resourceVersion, lastRV);
    checkRemaining(list, found);
    for (const item of list.items) assert.equal(item.metadata.name, name(found++));
    if (!list.metadata.continue) return found;
    next = list.metadata.continue;
  }
}

test('[sig-api-machinery] Servers with support for API chunking should return chunks of results for list calls [Conformance]', async () => {
  for (let round = 0; round < 3; round++) {
    const found = await listRest(0, undefined, () => 1 + Math.floor(Math.random() * (TOTAL / 10)));
    assert.equal(found, TOTAL);
  }
  const all = await templates.list({ limit: TOTAL + 1 });
  assert.equal(all.items.length, TOTAL);
  assert.equal(all.metadata.continue, undefined);
});

test('[sig-api-machinery] Servers with support for API chunking should support continue listing from the last key if the original version has been compacted away, though the list is inconsistent [Slow] [Conformance]', async () => {
  const oneTenth = TOTAL / 10;
  const first = await templates.list({ limit: oneTenth });
  checkRemaining(first, 0);
  const firstRV = first.metadata.resourceVersion;
  // Other writes, then compaction past the first page's revision (what etcd's compactor does every 5 min).
  await env.client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-first-page' } });
  await env.ts.server.store.compact(env.ts.server.store.currentRevision());

  const expired = await templates.list({ limit: oneTenth, continue: first.metadata.continue }).then(
    () => assert.fail('the compacted continue token still listed'),
    (err: unknown) => err,
  );
  assert.ok(expired instanceof StatusError);
  assert.equal(expired.status.code, 410);
  assert.equal(expired.status.reason, 'Expired');
  const inconsistent = (expired.status.metadata as { continue?: string } | undefined)?.continue;
  assert.ok(inconsistent, `the 410 carries an inconsistent continue token: ${JSON.stringify(expired.status)}`);

  const second = await templates.list({ limit: oneTenth, continue: inconsistent });
  assert.notEqual(second.metadata.resourceVersion, firstRV);
  assert.equal(second.items.length, oneTenth);
  let found = oneTenth;
  checkRemaining(second, found);
  for (const item of second.items) assert.equal(item.metadata.name, name(found++));
  found = await listRest(found, second.metadata.continue, () => oneTenth, second.metadata.resourceVersion);
  assert.equal(found, TOTAL);
});
