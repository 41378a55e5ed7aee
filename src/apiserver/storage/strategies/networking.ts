/**
 * networking.k8s.io/v1 Ingress and NetworkPolicy (pkg/registry/networking/{ingress,networkpolicy}).
 * Ingress: the DefaultIngressClass admission on create (IngressClasses read from the same store),
 * and ValidateIngressCreate's check that a legacy `kubernetes.io/ingress.class` annotation matches
 * spec.ingressClassName when both are set (create only, as upstream). NetworkPolicy: served as
 * upstream (nothing beyond validation) and enforced by each node (src/network-policy), named ports
 * in egress rules included, so no write answers a warning.
 */
import { ingressClasses, type IngressClass } from '../../../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../../../api/kinds/networking/ingress.js';
import type { NetworkPolicy } from '../../../api/kinds/networking/network-policy.js';
import { fe } from '../../../api/schema/errors.js';
import type { Store } from '../../../store/types.js';
import { admitDefaultIngressClass, LEGACY_INGRESS_CLASS_ANNOTATION } from '../../admission/default-ingress-class.js';
import { decodeKv } from '../codec.js';
import { resourcePrefix } from '../keys.js';
import type { Strategy } from './types.js';

export const ingressStrategy: Strategy<Ingress> = {
  validate(obj, old) {
    if (old) return [];
    const annotation = obj.metadata.annotations?.[LEGACY_INGRESS_CLASS_ANNOTATION];
    const className = obj.spec?.ingressClassName;
    if (annotation === undefined || className === undefined || annotation === className) return [];
    return [fe.invalid(`annotations.${LEGACY_INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified')];
  },
  forStore(store: Store): Strategy<Ingress> {
    const list = async (): Promise<IngressClass[]> => (await store.list(resourcePrefix(ingressClasses))).items.map((kv) => decodeKv(ingressClasses, kv));
    return { ...ingressStrategy, forStore: undefined, admit: (obj) => admitDefaultIngressClass(obj, list) };
  },
};

export const networkPolicyStrategy: Strategy<NetworkPolicy> = {};
