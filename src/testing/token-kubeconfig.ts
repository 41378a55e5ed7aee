/**
 * A kubeconfig that holds only a bearer token and the cluster CA (no client certificate), so that
 * kubectl authenticates with the token alone: a ServiceAccount's, a `kubectl create token` one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let seq = 0;

/** Writes the kubeconfig under `dir` and returns its path. */
export function writeTokenKubeconfig(dir: string, server: string, caFile: string, token: string): string {
  const path = join(dir, `token-kubeconfig-${process.pid}-${seq++}`);
  const ca = readFileSync(caFile).toString('base64');
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${ca}}}]`,
    `users: [{name: u, user: {token: "${token}"}}]`,
    'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
  ].join('\n'), { mode: 0o600 });
  return path;
}
