/**
 * The RBAC authorizer's view of the policy, kept in memory as upstream's informer-fed listers
 * (plugin/pkg/auth/authorizer/rbac: RoleGetter, ClusterRoleGetter, *BindingLister), with bindings
 * indexed by subject so a request costs only the bindings that name its user or one of its groups,
 * however many bindings the cluster holds. Fed by list+watch on the four storages (relisted when a
 * watch ends) and, for read-your-writes in this server, by every write that goes through it
 * (`observe`); an event older than what is held is ignored.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { PolicyRule, RoleRef, Subject } from '../../../api/kinds/rbac/policy-rule.js';
import type { RequestContext, ResourceStorage, WatchStream } from '../../storage/types.js';

export type RbacResource = 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings';
export const RBAC_RESOURCES: readonly RbacResource[] = ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings'];

export interface CachedBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

interface RbacObject extends KubeObject {
  rules?: PolicyRule[];
  roleRef?: RoleRef;
  subjects?: Subject[];
}

/** The index keys a subject is found under: users (service accounts are users by name) and groups. */
export const userKey = (name: string): string => `u\u0000${name}`;
export const groupKey = (name: string): string => `g\u0000${name}`;

function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  if (s.kind === 'User') return userKey(s.name);
  if (s.kind === 'Group') return groupKey(s.name);
  if (s.kind === 'ServiceAccount') return userKey(`system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`);
  return undefined;
}

const lookupContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

const rvOf = (o: KubeObject): number => Number(o.metadata?.resourceVersion ?? 0) || 0;

export class RbacPolicyCache {
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** subject key -> cluster role bindings naming it. */
  private readonly clusterBindings = new Map<string, CachedBinding[]>();
  /** namespace -> subject key -> role bindings naming it. */
  private readonly roleBindings = new Map<string, Map<string, CachedBinding[]>>();
  /** `resource/namespace/name` -> [resourceVersion, binding (for removal)]. */
  private readonly versions = new Map<string, { rv: number; binding?: CachedBinding }>();
  private readonly watches = new Map<RbacResource, WatchStream>();
  private stopped = false;

  constructor(private readonly storage: (resource: RbacResource) => ResourceStorage | undefined) {}

  /** Lists and watches the four kinds; resolves once all are loaded. */
  async start(): Promise<void> {
    await Promise.all(RBAC_RESOURCES.map((r) => this.follow(r)));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }

  private async follow(resource: RbacResource): Promise<void> {
    const storage = this.storage(resource);
    if (!storage || this.stopped) return;
    const list = await storage.list(lookupContext(), undefined, {});
    const seen = new Set<string>();
    for (const o of list.items) {
      seen.add(this.keyOf(resource, o));
      this.observe(resource, o, false, true);
    }
    // What vanished while no watch ran.
    for (const key of [...this.versions.keys()]) if (key.startsWith(`${resource}/`) && !seen.has(key)) this.forget(resource, key);
    const w = await storage.watch(lookupContext(), undefined, { resourceVersion: list.metadata?.resourceVersion }, {
      onEvent: (ev) => {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.observe(resource, ev.object, false);
        else if (ev.type === 'DELETED') this.observe(resource, ev.object, true);
      },
      onClose: () => {
        this.watches.delete(resource);
        if (!this.stopped) setTimeout(() => void this.follow(resource).catch(() => {}), 200).unref();
      },
    });
    if (this.stopped) w.stop();
    else this.watches.set(resource, w);
  }

  private keyOf(resource: RbacResource, o: KubeObject): string {
    return `${resource}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  /** Takes in a written, listed or watched object (or its deletion), unless what is held is newer. */
  observe(resource: RbacResource, o: KubeObject, deleted: boolean, force = false): void {
    const key = this.keyOf(resource, o);
    const held = this.versions.get(key);
    const rv = rvOf(o);
    if (held && !force && rv < held.rv) return;
    if (deleted) {
      this.forget(resource, key);
      // Remember the deletion so a late event of the old object does not bring it back.
      this.versions.set(key, { rv });
      return;
    }
    this.forget(resource, key);
    const obj = o as RbacObject;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    if (resource === 'roles') this.roles.set(`${ns}/${name}`, obj.rules ?? []);
    if (resource === 'clusterroles') this.clusterRoles.set(name, obj.rules ?? []);
    let binding: CachedBinding | undefined;
    if ((resource === 'rolebindings' || resource === 'clusterrolebindings') && obj.roleRef) {
      binding = { kind: resource === 'rolebindings' ? 'RoleBinding' : 'ClusterRoleBinding', name, namespace: ns, roleRef: obj.roleRef, subjects: obj.subjects ?? [] };
      for (const k of this.bindingKeys(binding)) this.index(binding).set(k, [...(this.index(binding).get(k) ?? []), binding]);
    }
    this.versions.set(key, { rv, binding });
  }

  private forget(resource: RbacResource, key: string): void {
    const held = this.versions.get(key);
    this.versions.delete(key);
    const [, ns, name] = key.split('/') as [string, string, string];
    if (resource === 'roles') this.roles.delete(`${ns}/${name}`);
    if (resource === 'clusterroles') this.clusterRoles.delete(name);
    const b = held?.binding;
    if (!b) return;
    const idx = this.index(b);
    for (const k of this.bindingKeys(b)) {
      const rest = (idx.get(k) ?? []).filter((x) => x !== b);
      if (rest.length) idx.set(k, rest);
      else idx.delete(k);
    }
    if (b.kind === 'RoleBinding' && idx.size === 0) this.roleBindings.delete(b.namespace);
  }

  private bindingKeys(b: CachedBinding): Set<string> {
    const keys = new Set<string>();
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (k) keys.add(k);
    }
    return keys;
  }

  private index(b: CachedBinding): Map<string, CachedBinding[]> {
    if (b.kind === 'ClusterRoleBinding') return this.clusterBindings;
    let m = this.roleBindings.get(b.namespace);
    if (!m) this.roleBindings.set(b.namespace, (m = new Map()));
    return m;
  }

  /** Cluster role bindings naming any of `keys`, each once. */
  clusterBindingsFor(keys: readonly string[]): CachedBinding[] {
    return collect(this.clusterBindings, keys);
  }

  /** Role bindings of `namespace` naming any of `keys`, each once. */
  roleBindingsFor(namespace: string, keys: readonly string[]): CachedBinding[] {
    const m = this.roleBindings.get(namespace);
    return m ? collect(m, keys) : [];
  }

  /** GetRoleReferenceRules: the rules a roleRef names, or undefined when the role does not exist. */
  rulesOf(ref: RoleRef, bindingNamespace: string): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') return this.clusterRoles.get(ref.name);
    if (ref.kind === 'Role') return this.roles.get(`${bindingNamespace}/${ref.name}`);
    return undefined;
  }
}

function collect(index: Map<string, CachedBinding[]>, keys: readonly string[]): CachedBinding[] {
  if (keys.length === 1) return index.get(keys[0]!) ?? [];
  const out: CachedBinding[] = [];
  for (const k of keys) {
    for (const b of index.get(k) ?? []) if (!out.includes(b)) out.push(b);
  }
  return out;
}
