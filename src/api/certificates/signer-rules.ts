/**
 * What each built-in signer accepts, as upstream's csrsigning controller checks before signing
 * (pkg/controller/certificates/signer/signer.go isKubeAPIServerClientCSR / isKubeletClient /
 * isKubeletServing, and pkg/apis/certificates/helpers.go ValidateKubeletClientCSR and
 * ValidateKubeletServingCSR). A problem is reported on the CSR as a Failed condition with reason
 * SignerValidationFailure; signers not listed here are not Bosun's to sign.
 */
import type { ParsedCsr } from './pkcs10.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';

/** The signers Bosun's signing controller issues for. */
export const BUILT_IN_SIGNERS: readonly string[] = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING];

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
};

function apiServerClientUsages(usages: readonly string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'client auth') clientAuth = true;
    else if (u !== 'digital signature' && u !== 'key encipherment') return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : 'missing required usage for client certificate: client auth';
}

const nodesOnly = (req: ParsedCsr): boolean => req.organizations.length === 1 && req.organizations[0] === 'system:nodes';

function kubeletClient(req: ParsedCsr, usages: readonly string[]): string | undefined {
  if (!nodesOnly(req)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.ips.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  const required = ['client auth', 'digital signature', 'key encipherment'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'client auth'])) return `usages did not match [${required.join(' ')}]`;
  return undefined;
}

function kubeletServing(req: ParsedCsr, usages: readonly string[]): string | undefined {
  if (!nodesOnly(req)) return 'subject organization is not system:nodes';
  if (!req.dnsNames.length && !req.ips.length) return 'DNS or IP subjectAltName is required';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  const required = ['digital signature', 'key encipherment', 'server auth'];
  if (!sameSet(usages, required) && !sameSet(usages, ['digital signature', 'server auth'])) return `usages did not match [${required.join(' ')}]`;
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** Why `signerName` refuses this request, or undefined when it will sign it. */
export function signerProblem(signerName: string, req: ParsedCsr, usages: readonly string[]): string | undefined {
  if (signerName === KUBE_APISERVER_CLIENT) return apiServerClientUsages(usages);
  if (signerName === KUBE_APISERVER_CLIENT_KUBELET) return kubeletClient(req, usages);
  if (signerName === KUBELET_SERVING) return kubeletServing(req, usages);
  return `signer ${signerName} is not a built-in signer`;
}
