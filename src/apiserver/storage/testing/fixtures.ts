/**
 * Test fixtures for the storage tests: small hand-written ResourceDefinitions (independent of
 * src/api/kinds so the generic semantics are tested on their own), a request context, a memory
 * store and a watch recorder.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { FieldInfo, ResourceDefinition } from '../../../api/resource.js';
import type { FieldError } from '../../../api/status.js';
import type { Store } from '../../../store/types.js';
import { StorageSet } from '../storage-set.js';
import type { StorageOptions } from '../storage-core.js';
import type { RequestContext, StorageWatchEvent, WatchSink } from '../types.js';
import { openTestStore } from './test-store.js';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function metaErrors(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  if (!DNS1123.test(name) || name.length > 253) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', detail: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters` });
  }
  if (namespaced && !obj.metadata?.namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace', detail: 'Required value' });
  return errs;
}

/** Unknown fields: anything outside the allowed top-level and spec keys. */
function unknownOf(obj: unknown, top: string[], spec?: string[], holders?: [Record<string, unknown>, string][]): string[] {
  const out: string[] = [];
  const o = obj as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (['apiVersion', 'kind', 'metadata', ...top].includes(k)) continue;
    out.push(k);
    holders?.push([o, k]);
  }
  if (spec && o.spec && typeof o.spec === 'object') {
    for (const k of Object.keys(o.spec as object)) {
      if (spec.includes(k)) continue;
      out.push(`spec.${k}`);
      holders?.push([o.spec as Record<string, unknown>, k]);
    }
  }
  return out;
}

interface FixtureSpec {
  group?: string; kind: string; plural: string; namespaced: boolean;
  top: string[]; spec?: string[];
  status?: boolean; generation?: boolean; scale?: ResourceDefinition['scale'];
  defaults?(obj: KubeObject): void;
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  selectable?(obj: KubeObject): Record<string, string>;
  fieldInfo?(path: string[]): FieldInfo | undefined;
}

export function fixtureDef(f: FixtureSpec): ResourceDefinition {
  return {
    group: f.group ?? '', version: 'v1', kind: f.kind, listKind: `${f.kind}List`, plural: f.plural, singular: f.kind.toLowerCase(),
    namespaced: f.namespaced, shortNames: [], categories: [],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [...(f.status ? ['status' as const] : []), ...(f.scale ? ['scale' as const] : [])],
    ...(f.scale ? { scale: f.scale } : {}),
    applyDefaults: (obj) => f.defaults?.(obj),
    validate: (obj, old) => [...metaErrors(obj, f.namespaced), ...(f.validate?.(obj, old) ?? [])],
    unknownFields: (obj, holders) => unknownOf(obj, f.top, f.spec, holders),
    fieldInfo: (path) => f.fieldInfo?.(path),
    hasStatusSubresource: !!f.status,
    tracksGeneration: !!f.generation,
    selectableFields: (obj) => f.selectable?.(obj) ?? {},
    tableColumns: [],
    tableRow: (obj) => [obj.metadata.name],
    openapi: { definition: `fixture.${f.kind}`, schemas: {} },
  };
}

export const namespaces = fixtureDef({ kind: 'Namespace', plural: 'namespaces', namespaced: false, top: ['spec', 'status'], spec: ['finalizers'], status: true });

export const pods = fixtureDef({
  kind: 'Pod', plural: 'pods', namespaced: true, top: ['spec', 'status'],
  // serviceAccountName and its alias: the pod strategy's ServiceAccount admission sets them; priority
  // and preemptionPolicy: the Priority admission does.
  spec: ['containers', 'nodeName', 'restartPolicy', 'terminationGracePeriodSeconds', 'schedulingGates', 'serviceAccountName', 'serviceAccount', 'priority', 'preemptionPolicy', 'priorityClassName', 'affinity'], status: true,
  defaults(obj) {
    if (obj.spec && obj.spec.restartPolicy === undefined) obj.spec.restartPolicy = 'Always';
  },
  validate(obj, old) {
    const errs: FieldError[] = [];
    const containers = obj.spec?.containers;
    if (!Array.isArray(containers) || containers.length === 0) errs.push({ type: 'FieldValueRequired', field: 'spec.containers', detail: 'Required value' });
    else containers.forEach((c: { image?: string }, i: number) => {
      if (!c.image) errs.push({ type: 'FieldValueRequired', field: `spec.containers[${i}].image`, detail: 'Required value' });
    });
    if (old && (old.spec?.nodeName ?? '') !== (obj.spec?.nodeName ?? '') && old.spec?.nodeName) {
      errs.push({ type: 'FieldValueForbidden', field: 'spec', detail: 'Forbidden: pod updates may not change fields other than ...' });
    }
    return errs;
  },
  selectable: (obj) => ({ 'spec.nodeName': obj.spec?.nodeName ?? '', 'status.phase': obj.status?.phase ?? '' }),
  fieldInfo: (path) => (path.join('.') === 'spec.containers' ? { type: 'array', patchMergeKey: 'name', patchStrategy: 'merge' } : undefined),
});

export const configmaps = fixtureDef({ kind: 'ConfigMap', plural: 'configmaps', namespaced: true, top: ['data', 'binaryData', 'immutable'] });

export const deployments = fixtureDef({
  group: 'apps', kind: 'Deployment', plural: 'deployments', namespaced: true, top: ['spec', 'status'],
  spec: ['replicas', 'selector', 'template', 'paused'], status: true, generation: true,
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selectorPath: 'spec.selector' },
  defaults(obj) {
    if (obj.spec && obj.spec.replicas === undefined) obj.spec.replicas = 1;
  },
  validate(obj) {
    const r = obj.spec?.replicas;
    return typeof r === 'number' && r < 0 ? [{ type: 'FieldValueInvalid', field: 'spec.replicas', detail: `Invalid value: ${r}: must be greater than or equal to 0` }] : [];
  },
});

export const nodes = fixtureDef({ kind: 'Node', plural: 'nodes', namespaced: false, top: ['spec', 'status'], spec: ['podCIDR', 'unschedulable'], status: true });

export function ctx(over: Partial<RequestContext> = {}): RequestContext {
  return { user: 'test', groups: [], dryRun: false, fieldValidation: 'Strict', warnings: [], fieldManager: 'test', ...over };
}

export interface Env {
  store: Store;
  set: StorageSet;
  close(): Promise<void>;
}

/**
 * A store with the fixture resources and the namespaces `default` and `ns1`, on the backend
 * BOSUN_STORAGE_TEST_BACKEND names (memory, sqlite or etcd: openTestStore; the same suite runs on each).
 */
export async function newEnv(options: StorageOptions = {}): Promise<Env> {
  const { store, release } = await openTestStore();
  const set = new StorageSet(store, [namespaces, pods, configmaps, deployments, nodes], options);
  const nsStorage = set.get('', 'v1', 'namespaces')!;
  for (const name of ['default', 'ns1']) await nsStorage.create(ctx(), undefined, { metadata: { name } });
  return { store, set, close: release };
}

export function storage(env: Env, plural: 'namespaces' | 'pods' | 'configmaps' | 'deployments' | 'nodes') {
  return env.set.get(plural === 'deployments' ? 'apps' : '', 'v1', plural)!;
}

export function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra };
}

export function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

/** Records watch events; `next(n)` waits for at least n events in total. */
export class Recorder implements WatchSink {
  events: StorageWatchEvent[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  onEvent(ev: StorageWatchEvent): void {
    this.events.push(ev);
    this.wake();
  }

  onClose(): void {
    this.closed = true;
    this.wake();
  }

  async until(pred: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; events: ${JSON.stringify(this.summary())}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${e.type === 'ERROR' ? e.object.code ?? '' : e.object.metadata?.name ?? ''}`.trim());
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
