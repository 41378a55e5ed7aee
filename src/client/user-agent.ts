/**
 * User-Agent strings as client-go builds them. The API server records a write that names no
 * fieldManager under the User-Agent's part before the first '/' (upstream's prefixFromUserAgent), so
 * this is what `kubectl get -o yaml --show-managed-fields` shows for Bosun's components: give them
 * upstream's binary names (kube-controller-manager, kube-scheduler, kubelet, kube-proxy).
 */

/** The Kubernetes release Bosun's components claim, without the build suffix (as client-go cuts it off). */
const KUBE_RELEASE = 'v1.32.0';
/** client-go's GitCommit part; Bosun's /version answers gitCommit "bosun" too. */
const GIT_COMMIT = 'bosun';

function goArch(): string {
  if (process.arch === 'x64') return 'amd64';
  if (process.arch === 'ia32') return '386';
  return process.arch;
}

/**
 * client-go's rest.DefaultKubernetesUserAgent for `binary`,
 * `<binary>/<version> (<os>/<arch>) kubernetes/<commit>`, with rest.AddUserAgent's `/<component>`
 * when given (the controller manager names each controller's client so).
 */
export function kubernetesUserAgent(binary: string, component?: string): string {
  const ua = `${binary}/${KUBE_RELEASE} (${process.platform}/${goArch()}) kubernetes/${GIT_COMMIT}`;
  return component ? `${ua}/${component}` : ua;
}
