/**
 * `bosun user add NAME`: adds a person to the cluster as upstream documents it ("Normal user" in
 * the CertificateSigningRequest docs), in one step: a new private key and a CSR with CN=NAME and
 * O=each group, a CertificateSigningRequest for kubernetes.io/kube-apiserver-client created with
 * an administrator's credential, approved through /approval (the administrator needs `approve` on
 * that signer), the certificate the csrsigning controller issues, and a kubeconfig holding the
 * server URL, the cluster CA, the certificate and the key (0600). The private key never leaves
 * this machine.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCsr } from '../../api/certificates/make-csr.js';
import { KUBE_APISERVER_CLIENT_SIGNER, type CertificateSigningRequest } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/index.js';
import { resources } from '../../client/resource-ref.js';
import { writeKubeconfig } from '../../apiserver/pki/kubeconfig.js';

export interface AddUserOptions {
  name: string;
  groups: string[];
  /** Where the kubeconfig goes. */
  kubeconfigOut: string;
  /** Requested validity (ms); the signer may give less. */
  durationMs?: number;
  /** URL for the new kubeconfig; default the admin client's. */
  server?: string;
  timeoutMs: number;
}

export interface AddedUser {
  csrName: string;
  certificate: string;
  kubeconfig: string;
}

/** A CSR object name for `user`: DNS-friendly, unique. */
function csrNameFor(user: string): string {
  const base = user.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 40) || 'user';
  return `user-${base}-${randomBytes(3).toString('hex')}`;
}

async function waitForCertificate(client: KubeClient, name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const csr = await client.get<CertificateSigningRequest>(resources.certificatesigningrequests, undefined, name);
    const failed = csr.status?.conditions?.find((c) => c.type === 'Failed' || c.type === 'Denied');
    if (failed) throw new Error(`CertificateSigningRequest ${name} ${failed.type}: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim());
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline) throw new Error(`CertificateSigningRequest ${name} was approved but no certificate was issued in time (is the controller manager running?)`);
    await sleep(200);
  }
}

export async function addUser(client: KubeClient, o: AddUserOptions): Promise<AddedUser> {
  if (!o.name) throw new Error('a user name is required');
  const { key, csr } = makeCsr(o.name, o.groups);
  const name = csrNameFor(o.name);
  const created = await client.create<CertificateSigningRequest>(resources.certificatesigningrequests, undefined, {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
    metadata: { name, labels: { 'bosun.dev/user': o.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 63) } },
    spec: {
      request: Buffer.from(csr).toString('base64'), signerName: KUBE_APISERVER_CLIENT_SIGNER,
      usages: ['digital signature', 'key encipherment', 'client auth'],
      ...(o.durationMs !== undefined ? { expirationSeconds: Math.round(o.durationMs / 1000) } : {}),
    },
  });
  const approved = {
    ...created,
    status: { ...created.status, conditions: [...(created.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'BosunUserAdd', message: 'This CSR was approved by bosun user add.' }] },
  };
  await client.updateSubresource(resources.certificatesigningrequests, undefined, name, 'approval', approved);
  const certificate = await waitForCertificate(client, name, o.timeoutMs);
  const ca = client.config.ca === undefined ? '' : String(client.config.ca);
  writeKubeconfig(o.kubeconfigOut, { server: o.server ?? client.config.server, caCert: ca, client: { cert: certificate, key }, name: 'bosun', user: o.name });
  return { csrName: name, certificate, kubeconfig: o.kubeconfigOut };
}
