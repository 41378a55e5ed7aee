/**
 * ResourceRef<T>: a typed ref gives clients and informers of the kind's own type, with no cast; a
 * ref resolved at run time stays KubeObject unless a type argument narrows it. The type checks are
 * compile-time (tsc -p tsconfig.test.json fails on them); the run-time checks show the phantom
 * never exists on a ref, so paths and cache keys are unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Deployment, Pod } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';
import type { SharedInformer } from '../controller-runtime/informer/shared-informer.js';
import type { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import { KubeClient } from './kube-client.js';
import type { ResourceClient } from './resource-client.js';
import { resourcePath, resources, type ResourceRef } from './resource-ref.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
const is = <_ extends true>() => undefined;

test('a typed ref, and the client\'s shortcuts, type the client and the informer as its kind', () => {
  const client = new KubeClient({ server: 'https://127.0.0.1:1' });
  try {
    const pods = client.resource(resources.pods, 'default');
    is<Equal<typeof pods, ResourceClient<Pod>>>();
    is<Equal<Awaited<ReturnType<ResourceClient<Deployment>['get']>>, Deployment>>();
    is<Equal<ReturnType<typeof client.resource<CronJob>>, ResourceClient<CronJob>>>();
    const _shortcut = client.pods('default');
    is<Equal<typeof _shortcut, ResourceClient<Pod>>>();
    const _deployments = client.deployments('default');
    is<Equal<typeof _deployments, ResourceClient<Deployment>>>();
    const untyped: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets' };
    is<Equal<ReturnType<typeof client.resource<KubeObject>>, ResourceClient>>();
    const _widgets = client.resource(untyped);
    is<Equal<typeof _widgets, ResourceClient<KubeObject>>>();
    const _podInformer = (f: SharedInformerFactory) => f.informerFor(resources.pods);
    is<Equal<ReturnType<typeof _podInformer>, SharedInformer<Pod>>>();
    assert.equal(pods.ref, resources.pods);
  } finally {
    client.close();
  }
});

test('the type parameter is a phantom: refs carry no extra field and paths are unchanged', () => {
  for (const ref of Object.values(resources)) assert.ok(!('__objectType' in ref), ref.resource);
  assert.equal(resourcePath(resources.pods, 'ns', 'p', 'status'), '/api/v1/namespaces/ns/pods/p/status');
  assert.equal(resourcePath(resources.deployments, 'ns'), '/apis/apps/v1/namespaces/ns/deployments');
});
