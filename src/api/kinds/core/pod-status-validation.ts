/**
 * Pod status addresses (pkg/apis/core/validation validatePodIPs / validateHostIPs, 1.32, and the v1 ->
 * internal conversion of status.podIP/podIPs): every address a valid IP, at most one per family, no
 * duplicates, hostIPs[0] equal to hostIP. Whatever passes is what the endpoint controllers copy into
 * EndpointSlices, and from there into every node's ruleset.
 */
import { parseIP } from '../../net/ip.js';
import { INVALID_IP, isDualStackOrSingle } from '../../net/validation.js';
import { fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import type { Pod } from './pod.js';

/**
 * Convert_v1_PodStatus_To_core_PodStatus then back: when podIP and podIPs[0] differ, podIP is
 * authoritative; podIP alone becomes podIPs; podIP is always podIPs[0].
 */
export function normalizePodIPs(pod: Pod): void {
  const st = pod.status;
  if (!st) return;
  if (st.podIP && (!st.podIPs?.length || st.podIPs[0]?.ip !== st.podIP)) st.podIPs = [{ ip: st.podIP }];
  if (st.podIPs?.length) st.podIP = st.podIPs[0]!.ip;
}

function validateIPList(path: string, ips: readonly { ip: string }[], what: 'IP'): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = ips.map((p) => parseIP(p.ip));
  parsed.forEach((ip, i) => {
    if (!ip) errs.push(fe.invalid(index(path, i), ips[i]!.ip, INVALID_IP));
  });
  if (ips.length > 1) {
    if (!isDualStackOrSingle(parsed.map((p) => p?.family))) errs.push(fe.invalid(path, ips, `may specify no more than one ${what} for each IP family`));
    const seen = new Set<string>();
    ips.forEach((p, i) => {
      if (seen.has(p.ip)) errs.push(fe.duplicate(index(path, i), p));
      seen.add(p.ip);
    });
  }
  return errs;
}

export function validatePodStatusIPs(pod: Pod): FieldError[] {
  const st = pod.status ?? {};
  const errs = validateIPList('status.podIPs', st.podIPs ?? [], 'IP');
  const hostIPs = st.hostIPs ?? [];
  if (hostIPs.length > 0 && hostIPs[0]!.ip !== st.hostIP) errs.push(fe.invalid('status.hostIPs[0].ip', hostIPs[0]!.ip, 'must be equal to `hostIP`'));
  errs.push(...validateIPList('status.hostIPs', hostIPs, 'IP'));
  return errs;
}
