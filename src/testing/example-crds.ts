/**
 * For tests of custom resources (the garbage collector's): creating the CRDs of
 * src/apiserver/crd/testdata (Widget and Gadget, both in example.com/v1) and telling an object gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/resource-ref.js';
import { eventually } from './eventually.js';

export const widgets: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, kind: 'Widget' };
export const gadgets: ResourceRef = { group: 'example.com', version: 'v1', resource: 'gadgets', namespaced: true, kind: 'Gadget' };

/** Create the CRD serving `ref` (testdata/<plural>-crd.yaml); resolves once its objects can be listed in `namespace`. */
export async function createTestCrd(client: KubeClient, ref: ResourceRef, namespace: string): Promise<void> {
  const crd = parse(readFileSync(join(import.meta.dirname, `../apiserver/crd/testdata/${ref.resource}-crd.yaml`), 'utf8')) as KubeObject;
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await eventually(async () => (await client.list(ref, namespace)).items, `the ${ref.kind} kind served`, { retryErrors: true });
}

/** True when `p` rejects with NotFound; false when it resolves. */
export async function gone(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}
