/**
 * Host ports as upstream's scheduler framework HostPortInfo (shared by the scheduler's NodePorts
 * filter and the agent's admission, as upstream's kubelet calls nodeports.Fits): a container port
 * with hostPort > 0 binds protocol/port on its hostIP, "0.0.0.0" when unset (TCP when no protocol);
 * only app containers count (getContainerPorts). Two bindings of one protocol/port collide when their
 * IPs are equal or either is 0.0.0.0.
 */
import type { Pod } from '../kinds/index.js';

/** A host port a container asks for: protocol, port and host IP (`0.0.0.0` when unset). */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export const WILDCARD_IP = '0.0.0.0';

export function hostPortsOf(pod: Pick<Pod, 'spec'>): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || WILDCARD_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** HostPortInfo.CheckConflict for one protocol/port: whether binding `ip` collides with `boundIps`. */
export function ipCollides(ip: string, boundIps: readonly string[]): boolean {
  if (ip === WILDCARD_IP) return boundIps.length > 0;
  return boundIps.some((b) => b === ip || b === WILDCARD_IP);
}

/** nodeports.Fits: whether none of `pod`'s host ports collides with those the `others` bind. */
export function hostPortsFit(pod: Pick<Pod, 'spec'>, others: readonly Pick<Pod, 'spec'>[]): boolean {
  const want = hostPortsOf(pod);
  if (!want.length) return true;
  const key = (hp: HostPort) => `${hp.protocol}/${hp.port}`;
  const bound = new Map<string, string[]>();
  for (const o of others) for (const hp of hostPortsOf(o)) bound.set(key(hp), [...(bound.get(key(hp)) ?? []), hp.ip]);
  return want.every((hp) => !ipCollides(hp.ip, bound.get(key(hp)) ?? []));
}
