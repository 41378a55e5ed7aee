/**
 * status.loadBalancer.ingress of the handled Ingresses: every node running the controller adds its
 * own IP (as ingress-nginx and Traefik on the host network publish the nodes' addresses, and k3s's
 * ServiceLB the nodes running its pods), and takes it out again when it stops or the Ingress stops
 * being its own (ingress-nginx's --update-status-on-shutdown, on by default). The list is kept
 * sorted; a write is made only when it would change something, with the informer's resourceVersion,
 * so a conflict (another node's write) is simply retried on the next event that copy brings.
 */
import type { Ingress } from '../api/kinds/networking/ingress.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import type { Logger } from '../controller-runtime/log.js';

type LbIngress = { ip?: string; hostname?: string; ports?: unknown[] };

/** The status list with `ip` in (`present`) or out, sorted; undefined when that is already so. */
export function desiredAddresses(current: readonly LbIngress[], ip: string, present: boolean): LbIngress[] | undefined {
  const has = current.some((e) => e.ip === ip);
  if (has === present) return undefined;
  const next = present ? [...current, { ip }] : current.filter((e) => e.ip !== ip);
  return next.sort((a, b) => key(a).localeCompare(key(b), 'en', { numeric: true }));
}

const key = (e: LbIngress): string => e.ip ?? e.hostname ?? '';

export class IngressStatus {
  constructor(private readonly client: KubeClient, private readonly nodeIP: string, private readonly log: Logger) {}

  /** Takes this node's IP out of `ing`'s status, reading it afresh after a conflict (at stop, no later event retries). */
  async withdraw(ing: Readonly<Ingress>): Promise<void> {
    let current: Readonly<Ingress> | undefined = ing;
    for (let attempt = 0; attempt < 3 && current; attempt++) {
      const next = desiredAddresses(current.status?.loadBalancer?.ingress ?? [], this.nodeIP, false);
      if (!next) return;
      try {
        await this.client.updateStatus(resources.ingresses, current.metadata.namespace, withAddresses(current, next));
        return;
      } catch (err) {
        if (!isConflict(err)) return this.warn(current, err);
        current = await this.client.get<Ingress>(resources.ingresses, current.metadata.namespace, current.metadata.name ?? '').catch(() => undefined);
      }
    }
  }

  /** Puts this node's IP in (`handled`) or out of `ing`'s status when it is not already so. */
  async sync(ing: Readonly<Ingress>, handled: boolean): Promise<void> {
    const next = desiredAddresses(ing.status?.loadBalancer?.ingress ?? [], this.nodeIP, handled);
    if (!next) return;
    try {
      await this.client.updateStatus(resources.ingresses, ing.metadata.namespace, withAddresses(ing, next));
    } catch (err) {
      if (!isConflict(err)) this.warn(ing, err);
    }
  }

  private warn(ing: Readonly<Ingress>, err: unknown): void {
    if (isNotFound(err)) return;
    this.log.warn({ ingress: `${ing.metadata.namespace ?? ''}/${ing.metadata.name ?? ''}`, err: String(err) }, 'could not update the ingress status');
  }
}

function withAddresses(ing: Readonly<Ingress>, addresses: LbIngress[]): Ingress {
  return { ...ing, status: { ...ing.status, loadBalancer: { ...ing.status?.loadBalancer, ingress: addresses } } } as Ingress;
}
