/**
 * Picks the pod a request goes to: the Service the backend names (in the Ingress's namespace), its
 * port by number or by name (a Service port; spec.ports[].name), and then the READY endpoints of that
 * port from the Service's EndpointSlices (label kubernetes.io/service-name; the slice port whose
 * name is the Service port's name; `ready` unset counts as ready, as the API documents), taken in
 * turn (round-robin per backend), as ingress-nginx and Traefik send to endpoints directly rather than
 * through the ClusterIP. No Service, no such port, or no ready endpoint: 503.
 */
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { BackendRef } from './routes.js';

export interface BackendView {
  service(namespace: string, name: string): Readonly<Service> | undefined;
  /** The EndpointSlices labelled for that Service. */
  endpointSlices(namespace: string, name: string): readonly Readonly<EndpointSlice>[];
}

export type Pick = { ok: true; host: string; port: number } | { ok: false; status: 503; message: string };

export class Backends {
  private readonly turns = new Map<string, number>();

  constructor(private readonly view: BackendView) {}

  /** The endpoint for the next request to `ref`, or why there is none. */
  pick(ref: BackendRef): Pick {
    const svc = this.view.service(ref.namespace, ref.service);
    if (!svc) return unavailable(`service "${ref.namespace}/${ref.service}" not found`);
    const sp = (svc.spec?.ports ?? []).find((p) => (ref.port.name !== undefined ? p.name === ref.port.name : p.port === ref.port.number));
    if (!sp) return unavailable(`service "${ref.namespace}/${ref.service}" has no port ${ref.port.name ?? String(ref.port.number)}`);
    const portName = sp.name ?? '';
    const ready: { host: string; port: number }[] = [];
    for (const slice of this.view.endpointSlices(ref.namespace, ref.service)) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP')?.port;
      if (port === undefined) continue;
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        const addr = e.addresses?.[0];
        if (addr) ready.push({ host: addr, port });
      }
    }
    if (ready.length === 0) return unavailable(`no ready endpoints for service "${ref.namespace}/${ref.service}"`);
    // A stable order so the turn counter walks every endpoint even as slices are re-delivered.
    ready.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
    const key = `${ref.namespace}/${ref.service}:${portName}`;
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, (turn + 1) % 1_000_000_007);
    const e = ready[turn % ready.length]!;
    return { ok: true, host: e.host, port: e.port };
  }
}

function unavailable(message: string): Pick {
  return { ok: false, status: 503, message };
}
