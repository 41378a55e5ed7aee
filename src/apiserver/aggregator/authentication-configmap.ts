/**
 * kube-system/extension-apiserver-authentication, as kube-apiserver's ClusterAuthenticationTrust
 * controller publishes it (pkg/controlplane/controller/clusterauthenticationtrust): the CA that
 * signs client certificates (client-ca-file) and the request-header settings an extension API server
 * (k8s.io/apiserver's DelegatingAuthenticationOptions) reads to trust the aggregator's proxied
 * requests: the front proxy's CA, its allowed client names, and the header names. List values are
 * JSON arrays in strings, as upstream writes them.
 */
import type { KubeObject } from '../../api/meta.js';
import { isStatusError } from '../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import { FRONT_PROXY_CLIENT_CN } from './front-proxy-pki.js';

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };
export const REMOTE_USER_HEADER = 'X-Remote-User';
export const REMOTE_GROUP_HEADER = 'X-Remote-Group';
export const REMOTE_EXTRA_PREFIX = 'X-Remote-Extra-';

export function authenticationConfigMapData(clusterCa: string, frontProxyCa: string): Record<string, string> {
  return {
    'client-ca-file': clusterCa,
    'requestheader-allowed-names': JSON.stringify([FRONT_PROXY_CLIENT_CN]),
    'requestheader-client-ca-file': frontProxyCa,
    'requestheader-extra-headers-prefix': JSON.stringify([REMOTE_EXTRA_PREFIX]),
    'requestheader-group-headers': JSON.stringify([REMOTE_GROUP_HEADER]),
    'requestheader-username-headers': JSON.stringify([REMOTE_USER_HEADER]),
  };
}

/** Creates the ConfigMap, or rewrites its data when a CA changed (a rotation). */
export async function ensureAuthenticationConfigMap(configMaps: ResourceStorage, ctx: RequestContext, data: Record<string, string>): Promise<void> {
  const { namespace, name } = AUTHENTICATION_CONFIGMAP;
  let cur: KubeObject | undefined;
  try {
    cur = await configMaps.get(ctx, namespace, name);
  } catch (err) {
    if (!isStatusError(err, 404)) throw err;
  }
  if (!cur) {
    await configMaps.create(ctx, namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KubeObject);
    return;
  }
  if (JSON.stringify((cur as { data?: unknown }).data) === JSON.stringify(data)) return;
  await configMaps.update(ctx, namespace, name, { ...cur, data } as KubeObject);
}
