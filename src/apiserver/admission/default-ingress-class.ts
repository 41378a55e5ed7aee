/**
 * The DefaultIngressClass admission plugin (upstream
 * plugin/pkg/admission/network/defaultingressclass/admission.go, enabled by default), on Ingress
 * CREATE: an Ingress with no spec.ingressClassName and no legacy `kubernetes.io/ingress.class`
 * annotation gets the default class, the IngressClass annotated
 * ingressclass.kubernetes.io/is-default-class=true; when several are marked, the newest wins (ties
 * by name), as upstream since 1.26. No default class: the Ingress is left without one. In
 * AllOrderedPlugins it follows RuntimeClass and precedes the mutating webhooks, which is where the
 * ingress strategy's `admit` runs.
 */
import { IS_DEFAULT_INGRESS_CLASS, type IngressClass } from '../../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../../api/kinds/networking/ingress.js';

/** networkingv1beta1.AnnotationIngressClass: the class before spec.ingressClassName existed. */
export const LEGACY_INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export type IngressClassLister = () => Promise<IngressClass[]>;

/** getDefaultClass: the newest class marked default (by creation time, then name), or undefined. */
export function pickDefaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  const defaults = classes.filter((c) => c.metadata.annotations?.[IS_DEFAULT_INGRESS_CLASS] === 'true');
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

export async function admitDefaultIngressClass(ing: Ingress, list: IngressClassLister): Promise<void> {
  if (ing.spec?.ingressClassName !== undefined) return;
  if (ing.metadata.annotations?.[LEGACY_INGRESS_CLASS_ANNOTATION] !== undefined) return;
  const def = pickDefaultIngressClass(await list());
  if (!def?.metadata.name) return;
  (ing.spec ??= {}).ingressClassName = def.metadata.name;
}
