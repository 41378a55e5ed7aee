/**
 * Which Ingresses this controller serves: those of the IngressClasses whose spec.controller is
 * `bosun.dev/ingress`, by the IngressClass contract (src/api/kinds/networking/ingress-class-of.ts).
 *
 * The class itself is created when the controller starts and no class of that name exists, marked
 * default, as k3s's Traefik chart creates its `traefik` class (traefik-helm-chart values.yaml:
 * `ingressClass: {enabled: true, isDefaultClass: true}`). An administrator's edits stand (a class
 * made non-default stays so); a deleted class is created again at the next start, as an add-on's.
 */
import { IS_DEFAULT_INGRESS_CLASS } from '../api/kinds/networking/annotations.js';
import { BOSUN_INGRESS_CONTROLLER, servedBy } from '../api/kinds/networking/ingress-class-of.js';
import type { IngressClass } from '../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import { isAlreadyExists } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';

export { BOSUN_INGRESS_CONTROLLER };
/** The class created at start. */
export const BOSUN_INGRESS_CLASS = 'bosun';

/** Whether `ing` is ours, given every IngressClass. */
export function isHandled(ing: Readonly<Ingress>, classes: readonly Readonly<IngressClass>[]): boolean {
  return servedBy(ing, classes, BOSUN_INGRESS_CONTROLLER);
}

/** Creates the `bosun` IngressClass unless a class of that name exists. */
export async function ensureIngressClass(client: KubeClient): Promise<void> {
  const cls: IngressClass = {
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: BOSUN_INGRESS_CLASS, annotations: { [IS_DEFAULT_INGRESS_CLASS]: 'true' } },
    spec: { controller: BOSUN_INGRESS_CONTROLLER },
  };
  try {
    await client.create(resources.ingressclasses, undefined, cls);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
