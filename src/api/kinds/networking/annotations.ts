/**
 * networking.k8s.io annotations read outside the API server (the built-in Ingress controller in
 * src/ingress runs on nodes): a module of constants only, so a node does not load the kinds'
 * definitions (schemas, validation, the registry) to read one.
 */

/** networkingv1.AnnotationIsDefaultIngressClass: "true" marks the cluster's default IngressClass. */
export const IS_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
