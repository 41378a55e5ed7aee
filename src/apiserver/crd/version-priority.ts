/**
 * Kubernetes version priority (apimachinery's version.CompareKubeAwareVersionStrings): GA before beta
 * before alpha, higher numbers first within each; anything not of the `v<N>[alpha|beta<M>]` form sorts
 * after them alphabetically. Returns > 0 when `a` has the higher priority.
 */
const KUBE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

export function kubeVersionCompare(a: string, b: string): number {
  const ma = KUBE.exec(a);
  const mb = KUBE.exec(b);
  if (!ma && !mb) return a < b ? 1 : a > b ? -1 : 0;
  if (!ma) return -1;
  if (!mb) return 1;
  const rank = (m: RegExpExecArray): number => (m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1);
  if (rank(ma) !== rank(mb)) return rank(ma) - rank(mb);
  if (ma[1] !== mb[1]) return Number(ma[1]) - Number(mb[1]);
  return Number(ma[3] ?? 0) - Number(mb[3] ?? 0);
}
