/**
 * The DefaultIngressClass admission's choice, as upstream's getDefaultClass
 * (plugin/pkg/admission/network/defaultingressclass/admission.go, v1.32): only classes annotated
 * is-default-class "true", the newest by creationTimestamp, ties broken by name; an Ingress with a
 * class or the legacy annotation is left alone. kubectl-networking.test.ts covers it end to end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngressClass } from '../../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../../api/kinds/networking/ingress.js';
import { admitDefaultIngressClass, pickDefaultIngressClass } from './default-ingress-class.js';

const cls = (name: string, created: string, mark?: string): IngressClass => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
  metadata: { name, creationTimestamp: created, ...(mark !== undefined ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': mark } } : {}) },
  spec: { controller: 'example.com/c' },
});

test('the newest class marked default wins; equal times go to the first name; "True" or no mark is not default', () => {
  const older = cls('older', '2024-01-01T00:00:00Z', 'true');
  const newer = cls('newer', '2024-06-01T00:00:00Z', 'true');
  const newest = cls('newest-unmarked', '2025-01-01T00:00:00Z');
  const wrongCase = cls('wrong-case', '2025-01-01T00:00:00Z', 'True');
  assert.equal(pickDefaultIngressClass([older, newer, newest, wrongCase])?.metadata.name, 'newer');
  assert.equal(pickDefaultIngressClass([cls('b', '2024-01-01T00:00:00Z', 'true'), cls('a', '2024-01-01T00:00:00Z', 'true')])?.metadata.name, 'a');
  assert.equal(pickDefaultIngressClass([newest, wrongCase]), undefined);
});

test('admission fills spec.ingressClassName only when neither the field nor the legacy annotation is set', async () => {
  const list = () => Promise.resolve([cls('dflt', '2024-01-01T00:00:00Z', 'true')]);
  const ing = (spec: Ingress['spec'], annotations?: Record<string, string>): Ingress => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', annotations }, spec });
  const bare = ing({ defaultBackend: { service: { name: 's', port: { number: 80 } } } });
  await admitDefaultIngressClass(bare, list);
  assert.equal(bare.spec?.ingressClassName, 'dflt');
  const named = ing({ ingressClassName: 'mine' });
  await admitDefaultIngressClass(named, list);
  assert.equal(named.spec?.ingressClassName, 'mine');
  const legacy = ing({}, { 'kubernetes.io/ingress.class': 'nginx' });
  await admitDefaultIngressClass(legacy, list);
  assert.equal(legacy.spec?.ingressClassName, undefined);
  const none = ing(undefined);
  await admitDefaultIngressClass(none, () => Promise.resolve([]));
  assert.equal(none.spec, undefined);
});
