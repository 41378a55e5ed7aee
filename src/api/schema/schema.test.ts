import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registry } from '../registry.js';
import { s } from './builders.js';
import { applyDefaults, unknownFields, validateNode } from './walk.js';

const node = s.object({
  name: s.string(),
  mode: s.string({ enum: ['a', 'b'], default: 'a' }),
  items: s.array(s.object({ k: s.int() }, { required: ['k'] })),
  free: s.loose({ known: s.bool() }),
}, { required: ['name'] });

test('structural validation, defaults and unknown fields', () => {
  const v: any = { items: [{}], free: { anything: { deep: 1 } }, extra: 1 };
  applyDefaults(node, v);
  assert.equal(v.mode, 'a');
  assert.deepEqual(validateNode(node, v, '').map((e) => `${e.field}: ${e.detail}`), ['name: Required value', 'items[0].k: Required value']);
  assert.deepEqual(unknownFields(node, v), ['extra']);
  assert.deepEqual(validateNode(node, { name: 'x', mode: 'c' }, 'spec').map((e) => e.detail), ['Unsupported value: "c": supported values: "a", "b"']);
});

test('registry lookups', () => {
  assert.equal(registry.byName('po')?.plural, 'pods');
  assert.equal(registry.byName('deploy')?.group, 'apps');
  assert.equal(registry.byName('deployments.apps')?.kind, 'Deployment');
  assert.equal(registry.byName('svc')?.kind, 'Service');
  assert.equal(registry.byName('endpointslice')?.group, 'discovery.k8s.io');
  assert.equal(registry.byKind('coordination.k8s.io', 'v1', 'Lease')?.plural, 'leases');
  // HorizontalPodAutoscaler is in 'all' in both served versions (autoscaling/v2 and v1), as upstream's discovery lists it.
  assert.deepEqual(registry.byCategory('all').map((d) => d.plural).sort(), ['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  assert.equal(registry.byResource('apps', 'v1', 'deployments')?.scale?.specReplicasPath, 'spec.replicas');
  assert.deepEqual(['Deployment', 'ConfigMap', 'Secret', 'Namespace'].map((k) => registry.all().find((d) => d.kind === k)?.protobufMessage), [
    'k8s.io.api.apps.v1.Deployment', 'k8s.io.api.core.v1.ConfigMap', 'k8s.io.api.core.v1.Secret', 'k8s.io.api.core.v1.Namespace',
  ]);
});

test('OpenAPI components carry descriptions and x-kubernetes extensions', () => {
  const { definition, schemas } = registry.byResource('', 'v1', 'pods')!.openapi;
  assert.equal(definition, 'io.k8s.api.core.v1.Pod');
  const pod = schemas[definition] as any;
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.deepEqual(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  const containers = (schemas['io.k8s.api.core.v1.PodSpec'] as any).properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.match(containers.description, /List of containers belonging to the pod/);
  const container = schemas['io.k8s.api.core.v1.Container'] as any;
  assert.match(container.description, /A single application container/);
  assert.deepEqual(container.required, ['name']);
  assert.ok(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']);
  for (const d of registry.all()) {
    for (const [name, sch] of Object.entries(d.openapi.schemas)) {
      assert.ok(Object.keys(sch as object).length > 0, `${name} is not empty`);
      for (const ref of JSON.stringify(sch).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(d.openapi.schemas[ref[1]!], `${d.plural}: ${ref[1]} resolved`);
    }
  }
});
