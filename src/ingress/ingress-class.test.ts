/**
 * Which Ingresses are this controller's (the IngressClass contract of networking.k8s.io/v1): by
 * spec.ingressClassName or the deprecated kubernetes.io/ingress.class annotation naming a class of
 * controller bosun.dev/ingress, or with no class at all when such a class is the default.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngressClass } from '../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import { isHandled } from './ingress-class.js';

const cls = (name: string, controller: string, isDefault = false): IngressClass => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
  metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  spec: { controller },
});
const ing = (o: { className?: string; annotation?: string }): Ingress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { name: 'i', namespace: 'default', ...(o.annotation ? { annotations: { 'kubernetes.io/ingress.class': o.annotation } } : {}) },
  spec: { ...(o.className ? { ingressClassName: o.className } : {}), defaultBackend: { service: { name: 's', port: { number: 80 } } } },
});

describe('isHandled', () => {
  const ours = cls('bosun', 'bosun.dev/ingress');
  const oursDefault = cls('bosun', 'bosun.dev/ingress', true);
  const nginx = cls('nginx', 'k8s.io/ingress-nginx');
  const nginxDefault = cls('nginx', 'k8s.io/ingress-nginx', true);
  const cases: [string, Ingress, IngressClass[], boolean][] = [
    ['its class by name', ing({ className: 'bosun' }), [ours, nginx], true],
    ['another controller\'s class', ing({ className: 'nginx' }), [ours, nginx], false],
    ['a class that does not exist', ing({ className: 'missing' }), [ours], false],
    ['a second class of the same controller', ing({ className: 'internal' }), [ours, cls('internal', 'bosun.dev/ingress')], true],
    ['the legacy annotation', ing({ annotation: 'bosun' }), [ours], true],
    ['the legacy annotation of another class', ing({ annotation: 'nginx' }), [oursDefault, nginx], false],
    ['no class, ours is the default', ing({}), [oursDefault, nginx], true],
    ['no class, ours is not the default', ing({}), [ours, nginxDefault], false],
    ['no class and no default', ing({}), [ours], false],
  ];
  for (const [what, i, classes, want] of cases) it(what, () => assert.equal(isHandled(i, classes), want));
});
