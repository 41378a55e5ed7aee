/**
 * Which Ingresses this controller serves, by the IngressClass contract (networking.k8s.io/v1): an
 * Ingress whose spec.ingressClassName (or, for compatibility, the deprecated
 * `kubernetes.io/ingress.class` annotation, as the API docs ask controllers to honor) names a class
 * whose spec.controller is `bosun.dev/ingress`; and an Ingress naming no class when such a class is
 * the default (annotation ingressclass.kubernetes.io/is-default-class=true), as ingress-nginx's
 * watch-ingress-without-class does.
 *
 * The class itself is created when the controller starts and no class of that name exists, marked
 * default, as k3s's Traefik chart creates its `traefik` class (traefik-helm-chart values.yaml:
 * `ingressClass: {enabled: true, isDefaultClass: true}`). An administrator's edits stand (a class
 * made non-default stays so); a deleted class is created again at the next start, as an add-on's.
 */
import { IS_DEFAULT_INGRESS_CLASS } from '../api/kinds/networking/annotations.js';
import type { IngressClass } from '../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import { isAlreadyExists } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';

/** spec.controller of the IngressClasses this controller implements. */
export const BOSUN_INGRESS_CONTROLLER = 'bosun.dev/ingress';
/** The class created at start. */
export const BOSUN_INGRESS_CLASS = 'bosun';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Whether `ing` is ours, given every IngressClass. */
export function isHandled(ing: Readonly<Ingress>, classes: readonly Readonly<IngressClass>[]): boolean {
  const named = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  const ours = classes.filter((c) => c.spec?.controller === BOSUN_INGRESS_CONTROLLER);
  if (named !== undefined) return ours.some((c) => c.metadata.name === named);
  return ours.some((c) => c.metadata.annotations?.[IS_DEFAULT_INGRESS_CLASS] === 'true');
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
