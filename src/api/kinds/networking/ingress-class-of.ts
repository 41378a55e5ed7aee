/**
 * Which Ingresses an Ingress controller serves, by the IngressClass contract (networking.k8s.io/v1):
 * an Ingress whose spec.ingressClassName (or, for compatibility, the deprecated
 * `kubernetes.io/ingress.class` annotation, as the API docs ask controllers to honor) names a class
 * whose spec.controller is the controller's; and an Ingress naming no class when such a class is the
 * default (annotation ingressclass.kubernetes.io/is-default-class=true), as ingress-nginx's
 * watch-ingress-without-class does. Pure and free of the kinds' definitions: the built-in controller
 * on nodes (src/ingress) and its status controller (src/controllers/ingress-status) share it.
 */
import { IS_DEFAULT_INGRESS_CLASS } from './annotations.js';
import type { IngressClass } from './ingress-class.js';
import type { Ingress } from './ingress.js';

/** spec.controller of the IngressClasses Bosun's built-in Ingress controller implements. */
export const BOSUN_INGRESS_CONTROLLER = 'bosun.dev/ingress';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Whether `ing` belongs to `controller` (an IngressClass spec.controller), given every IngressClass. */
export function servedBy(ing: Readonly<Ingress>, classes: readonly Readonly<IngressClass>[], controller: string): boolean {
  const named = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  const ours = classes.filter((c) => c.spec?.controller === controller);
  if (named !== undefined) return ours.some((c) => c.metadata.name === named);
  return ours.some((c) => c.metadata.annotations?.[IS_DEFAULT_INGRESS_CLASS] === 'true');
}
