/**
 * The REST client. Start with `KubeClient.fromKubeconfig(path)` or `new KubeClient({server, ca, cert, key})`,
 * address resources with a `ResourceRef` (see `resources` for the common ones), and bind with
 */
export { KubeClient, type ClientOptions } from './kube-client.js';
export { ResourceClient, type Scale } from './resource-client.js';
export { Watch } from './watch.js';
export { loadKubeconfig, parseKubeconfig, type ConnectionConfig } from './kubeconfig.js';
export { resourcePath, parseApiVersion, resources, type ResourceRef } from './resource-ref.js';
export { WatchExpiredError, isNotFound, isAlreadyExists, isConflict, isGone, statusErrorFromBody } from './errors.js';
export type { StaticKindResolver } from './kind-resolver.js';
export type * from './options.js';
export { discoverCustomResources } from './discovery.js';
export { kubernetesUserAgent } from './user-agent.js';
