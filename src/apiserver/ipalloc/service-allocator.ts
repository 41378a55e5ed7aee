/**
 * ClusterIP and NodePort allocation for Services (upstream pkg/registry/core/service/ipallocator and
 * portallocator, with their repair loops folded in). One allocator per store.
 *
 * The truth is the stored Services: the in-memory sets are rebuilt from them on first use, when a
 * requested value looks taken, when a range looks full, and at most every RESCAN_MS otherwise. So
 * allocation survives restarts without a persisted bitmap, and a value reserved by a create whose
 * write then failed is reclaimed by the next rebuild (reservations live KEEP_RESERVED_MS).
 */
import type { KubeObject } from '../../api/meta.js';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from '../../api/defaults.js';
import { services as serviceDef, type Service } from '../../api/kinds/core/service.js';
import { fe, invalidRendered } from '../../api/schema/errors.js';
import type { FieldError } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import { decodeKv } from '../storage/codec.js';
import { invalid } from '../storage/errors.js';
import { resourcePrefix } from '../storage/keys.js';
import { addressAt, offsetInCidr, parseCidr, type Ipv4Cidr } from './cidr.js';
import { initIpFamilyFields } from './ip-families.js';
import { RangeAllocator } from './range-allocator.js';

const RESCAN_MS = 60_000;
const KEEP_RESERVED_MS = 30_000;

export interface ServiceRanges {
  /** IPv4 CIDR ClusterIPs come from (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** `first-last` NodePorts come from (default 30000-32767). */
  nodePortRange?: string;
}

type Spec = NonNullable<Service['spec']>;

/** Whether the Service gets a virtual IP (not ExternalName, not headless). */
export function needsClusterIP(spec: Spec | undefined): boolean {
  return (spec?.type ?? 'ClusterIP') !== 'ExternalName' && spec?.clusterIP !== 'None';
}

/** Whether the Service's ports get node ports (NodePort, LoadBalancer unless allocateLoadBalancerNodePorts is false). */
export function needsNodePorts(spec: Spec | undefined): boolean {
  const type = spec?.type ?? 'ClusterIP';
  return type === 'NodePort' || (type === 'LoadBalancer' && spec?.allocateLoadBalancerNodePorts !== false);
}

function needsHealthCheckPort(spec: Spec | undefined): boolean {
  return spec?.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function ownerOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function parsePortRange(text: string): { first: number; last: number } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last) throw new Error(`invalid node port range ${JSON.stringify(text)}`);
  return { first, last };
}

export class ServiceAllocator {
  readonly cidr: Ipv4Cidr;
  private readonly ips: RangeAllocator;
  private readonly ports: RangeAllocator;
  private lastScan = 0;
  private scanning: Promise<void> | undefined;

  constructor(private readonly store: Store, ranges: ServiceRanges = {}) {
    this.cidr = parseCidr(ranges.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    this.ips = new RangeAllocator(1, this.cidr.size - 2);
    const pr = parsePortRange(ranges.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    this.ports = new RangeAllocator(pr.first, pr.last);
  }

  get nodePortRange(): string {
    return `${this.ports.first}-${this.ports.last}`;
  }

  /** Rebuild the in-memory sets from the stored Services (concurrent callers share one scan). */
  resync(): Promise<void> {
    return (this.scanning ??= this.scan().finally(() => (this.scanning = undefined)));
  }

  private async scan(): Promise<void> {
    const { items } = await this.store.list(resourcePrefix(serviceDef));
    const ips = new Map<number, string>();
    const ports = new Map<number, string>();
    for (const kv of items) {
      const svc = decodeKv(serviceDef, kv);
      const owner = ownerOf(svc);
      const off = svc.spec?.clusterIP ? offsetInCidr(this.cidr, svc.spec.clusterIP) : undefined;
      if (off !== undefined) ips.set(off, owner);
      for (const p of svc.spec?.ports ?? []) if (p.nodePort) ports.set(p.nodePort, owner);
      if (svc.spec?.healthCheckNodePort) ports.set(svc.spec.healthCheckNodePort, owner);
    }
    const now = Date.now();
    this.ips.rebuild(ips, now, KEEP_RESERVED_MS);
    this.ports.rebuild(ports, now, KEEP_RESERVED_MS);
    this.lastScan = now;
  }

  /**
   * Create: fill spec.clusterIP(s) and node ports, honouring requested values (422 when taken or out
   * of range). A dry run computes the same values and reserves nothing.
   */
  async allocate(svc: Service, dryRun: boolean): Promise<void> {
    if (this.lastScan === 0 || Date.now() - this.lastScan > RESCAN_MS) await this.resync();
    let errs = this.tryAllocate(svc, undefined, dryRun);
    if (errs.length > 0) {
      // What looks taken may be a leak (a failed write, a missed release): ask the store, then retry.
      await this.resync();
      errs = this.tryAllocate(svc, undefined, dryRun);
    }
    if (errs.length > 0) throw invalid(serviceDef, svc.metadata.name, errs);
  }

  /**
   * Update (synchronous, from prepareForUpdate): keep the values the old object holds when the new
   * one omits them (upstream patchAllocatedValues), and allocate what a type change now needs.
   */
  prepareUpdate(svc: Service, prev: Service): void {
    const spec = (svc.spec ??= {});
    const before = prev.spec ?? {};
    if (needsClusterIP(spec) && needsClusterIP(before) && !spec.clusterIP && before.clusterIP) {
      spec.clusterIP = before.clusterIP;
      if (!spec.clusterIPs?.length) spec.clusterIPs = before.clusterIPs ? [...before.clusterIPs] : [before.clusterIP];
    }
    if (needsNodePorts(spec) && needsNodePorts(before)) {
      for (const p of spec.ports ?? []) {
        if (p.nodePort) continue;
        const match = (before.ports ?? []).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (match?.nodePort) p.nodePort = match.nodePort;
      }
    }
    if (needsHealthCheckPort(spec) && needsHealthCheckPort(before) && !spec.healthCheckNodePort && before.healthCheckNodePort) {
      spec.healthCheckNodePort = before.healthCheckNodePort;
    }
    const errs = this.tryAllocate(svc, prev, false);
    if (errs.length > 0) throw invalid(serviceDef, svc.metadata.name, errs);
  }

  /** Free everything the Service held. */
  release(svc: Service): void {
    const owner = ownerOf(svc);
    const off = svc.spec?.clusterIP ? offsetInCidr(this.cidr, svc.spec.clusterIP) : undefined;
    if (off !== undefined) this.ips.release(off, owner);
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) this.ports.release(p.nodePort, owner);
    if (svc.spec?.healthCheckNodePort) this.ports.release(svc.spec.healthCheckNodePort, owner);
  }

  /** All-or-nothing: on any error, values taken in this call are given back. */
  private tryAllocate(svc: Service, old: Service | undefined, dryRun: boolean): FieldError[] {
    const owner = ownerOf(svc);
    const now = Date.now();
    const spec = (svc.spec ??= {});
    const takenIps: number[] = [];
    const takenPorts: number[] = [];
    const errs: FieldError[] = [];
    // Families first, as upstream's allocateCreate: a refused family allocates nothing.
    const familyErrs = initIpFamilyFields(spec, old?.spec);
    if (familyErrs.length > 0) return familyErrs;
    const holdsOld = (v: number, kind: 'ip' | 'port'): boolean => {
      if (!old) return false;
      if (kind === 'ip') return old.spec?.clusterIP !== undefined && offsetInCidr(this.cidr, old.spec.clusterIP) === v;
      return (old.spec?.ports ?? []).some((p) => p.nodePort === v) || old.spec?.healthCheckNodePort === v;
    };

    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else if (spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else if (!old || !needsClusterIP(old.spec) || !old.spec?.clusterIP) {
      // On update a set clusterIP is immutable: a changed value is left for validation to reject.
      const requested = spec.clusterIP || spec.clusterIPs?.[0];
      if (requested) {
        const off = offsetInCidr(this.cidr, requested);
        if (off === undefined) {
          errs.push(invalidRendered('spec.clusterIPs', `[]string{${JSON.stringify(requested)}}`,
            `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`));
        } else if (!this.ips.take(off, owner, now)) {
          errs.push(invalidRendered('spec.clusterIPs', `[]string{${JSON.stringify(requested)}}`, `failed to allocate IP ${requested}: provided IP is already allocated`));
        } else {
          takenIps.push(off);
          spec.clusterIP = requested;
        }
      } else {
        const off = this.ips.next(owner, now);
        if (off === undefined) errs.push(fe.invalid('spec.clusterIPs', null, `failed to allocate IP: range is full (${this.cidr.text})`));
        else {
          takenIps.push(off);
          spec.clusterIP = addressAt(this.cidr, off);
        }
      }
    }
    if (needsClusterIP(spec) && spec.clusterIP) {
      spec.clusterIPs = [spec.clusterIP];
    }

    const wantPorts = needsNodePorts(spec);
    const ports = spec.ports ?? [];
    const mine = new Set<number>();
    ports.forEach((p, i) => {
      const field = `spec.ports[${i}].nodePort`;
      if (!wantPorts) {
        if (spec.type === 'LoadBalancer' && p.nodePort) this.takePort(p.nodePort, field, owner, now, holdsOld, takenPorts, mine, errs);
        else if (spec.type !== 'LoadBalancer') delete p.nodePort;
        return;
      }
      if (p.nodePort) this.takePort(p.nodePort, field, owner, now, holdsOld, takenPorts, mine, errs);
      else {
        // The same port number on two protocols may share one node port (upstream allows it).
        const twin = ports.find((q) => q !== p && q.port === p.port && q.nodePort);
        const v = twin?.nodePort ?? this.ports.next(owner, now);
        if (v === undefined) errs.push(fe.invalid(field, 0, `failed to allocate a nodePort: range is full (${this.nodePortRange})`));
        else {
          if (!twin) takenPorts.push(v);
          p.nodePort = v;
          mine.add(v);
        }
      }
    });
    if (needsHealthCheckPort(spec)) {
      if (spec.healthCheckNodePort) this.takePort(spec.healthCheckNodePort, 'spec.healthCheckNodePort', owner, now, holdsOld, takenPorts, mine, errs);
      else {
        const v = this.ports.next(owner, now);
        if (v !== undefined) {
          takenPorts.push(v);
          spec.healthCheckNodePort = v;
        }
      }
    } else if (spec.type !== 'LoadBalancer') delete spec.healthCheckNodePort;

    if (errs.length > 0 || dryRun) {
      for (const v of takenIps) if (!old || !holdsOld(v, 'ip')) this.ips.release(v, owner);
      for (const v of takenPorts) if (!old || !holdsOld(v, 'port')) this.ports.release(v, owner);
    }
    return errs;
  }

  private takePort(
    v: number, field: string, owner: string, now: number, holdsOld: (v: number, k: 'port') => boolean,
    taken: number[], mine: Set<number>, errs: FieldError[],
  ): void {
    if (mine.has(v) || holdsOld(v, 'port')) {
      mine.add(v);
      return;
    }
    if (!this.ports.inRange(v)) {
      errs.push(fe.invalid(field, v, `provided port is not in the valid range. The range of valid ports is ${this.nodePortRange}`));
    } else if (!this.ports.take(v, owner, now)) {
      errs.push(fe.invalid(field, v, 'provided port is already allocated'));
    } else {
      taken.push(v);
      mine.add(v);
    }
  }
}
