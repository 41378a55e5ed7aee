import type { ConfigMap, Secret } from '../../api/kinds/index.js';

/**
 * The ConfigMaps and Secrets a pod's env and volumes read, as the agent's watches hold them
 * (pods/referenced-objects.ts); undefined means the object does not exist (yet).
 */
export interface ObjectLookup {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}
