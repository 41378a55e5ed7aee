/** Writes kubeconfig files with the CA and a client certificate embedded (base64), as kubeadm does. */
import { stringify } from 'yaml';
import type { KeyPair } from './certs.js';
import { writePrivateFile } from './private-file.js';

export interface KubeconfigOptions {
  server: string;
  caCert: string;
  client: KeyPair;
  /** Cluster, user and context name. */
  name?: string;
  user?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Renders a kubeconfig document. */
export function renderKubeconfig(o: KubeconfigOptions): string {
  const name = o.name ?? 'bosun';
  const user = o.user ?? 'admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': b64(o.caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(o.client.cert), 'client-key-data': b64(o.client.key) } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes a kubeconfig readable only by its owner (it holds a private key). */
export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  writePrivateFile(path, renderKubeconfig(o));
}
