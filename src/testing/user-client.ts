/**
 * Clients of other identities than the admin for authorization tests: a user's (or node's) client
 * certificate minted from the test server's cluster CA, and `refused`, which expects a request to
 * fail with a Status and returns it.
 */
import assert from 'node:assert/strict';
import { StatusError } from '../api/status.js';
import { KubeClient } from '../client/kube-client.js';
import type { ApiServer } from '../apiserver/server.js';
import { issueClientCertificate } from '../apiserver/pki/pki.js';

/** A client authenticated as `name` in `groups` (CN and O of a certificate from the cluster CA). */
export function userClient(ts: { url: string; server: ApiServer }, name: string, groups: string[]): KubeClient {
  const pair = issueClientCertificate(ts.server.pki, name, groups);
  return new KubeClient({ server: ts.url, ca: ts.server.pki.ca.cert, cert: pair.cert, key: pair.key });
}

/** The Status a request failed with; fails the test when the request was allowed. */
export async function refused(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('the request was allowed');
}
