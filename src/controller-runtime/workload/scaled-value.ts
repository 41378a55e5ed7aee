/** intstr.GetScaledValueFromIntOrPercent: maxSurge / maxUnavailable as counts (Deployment, DaemonSet, StatefulSet). */

/** An int, or a percentage of `total` rounded up or down. Rejects strings that are not `N%`. */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}
