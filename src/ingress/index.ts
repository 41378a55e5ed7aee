/** The built-in Ingress controller of a node (opt-in): `startIngressController` and its class. */
export { startIngressController, type IngressController, type IngressControllerOptions } from './ingress-controller.js';
export { BOSUN_INGRESS_CLASS, BOSUN_INGRESS_CONTROLLER, isHandled } from './ingress-class.js';
