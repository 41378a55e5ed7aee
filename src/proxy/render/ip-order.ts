/** Numeric IPv4 order (string order would put 10.42.0.10 before 10.42.0.9); cheap, unlike localeCompare. */
export function ipCompare(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < 4; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return 0;
}
