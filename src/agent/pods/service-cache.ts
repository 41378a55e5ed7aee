/**
 * The Services pods' env reads (the kubelet's serviceLister): one list+watch of all Services (the
 * node authorizer lets nodes list and watch services, as upstream's system:node role), keeping only
 * the fields the env needs so a node's memory does not grow with Services' annotations and status.
 */
import type { Service } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { Reflector, type ReflectorSink } from '../../controller-runtime/informer/reflector.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { ServiceEnvSource } from './service-env.js';

const compact = (s: Service): ServiceEnvSource => ({
  namespace: s.metadata.namespace ?? 'default',
  name: s.metadata.name ?? '',
  clusterIP: s.spec?.clusterIP ?? '',
  ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
});

const keyOf = (s: Service): string => `${s.metadata.namespace ?? 'default'}/${s.metadata.name ?? ''}`;

export class ServiceCache implements ReflectorSink<Service> {
  private readonly items = new Map<string, ServiceEnvSource>();
  private readonly reflector: Reflector<Service>;
  private synced = false;
  private waiters: (() => void)[] = [];

  constructor(client: KubeClient, logger?: Logger) {
    this.reflector = new Reflector<Service>(client, resources.services, this, { logger });
  }

  replace(items: Service[]): void {
    this.items.clear();
    for (const s of items) this.items.set(keyOf(s), compact(s));
    this.synced = true;
    for (const w of this.waiters.splice(0)) w();
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Service): void {
    if (type === 'DELETED') this.items.delete(keyOf(obj));
    else this.items.set(keyOf(obj), compact(obj));
  }

  /** The cached Services; undefined until the first list (the kubelet's serviceHasSynced). */
  list(): ServiceEnvSource[] | undefined {
    return this.synced ? [...this.items.values()] : undefined;
  }

  /** Resolves after the first list, or after `timeoutMs` (containers then wait with CreateContainerConfigError, as the kubelet's). */
  async waitForSync(timeoutMs: number): Promise<void> {
    if (this.synced) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  start(): void {
    this.reflector.start();
  }

  async stop(): Promise<void> {
    await this.reflector.stop();
  }
}
