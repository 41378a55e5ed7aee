/**
 * Fluent builders for scheduler tests (upstream's st.MakePod()/st.MakeNode()):
 * `makePod().name('p').req({ cpu: '500m' }).obj()`, `makeNode().name('n1').alloc({ cpu: '2' }).obj()`.
 */
import type { Toleration } from '../../api/kinds/core/affinity.js';
import { newPodInfo, type PodInfo } from '../framework/pod-info.js';
import { NodeInfo } from '../framework/node-info.js';
import type { Node, Pod, Taint } from '../framework/types.js';
import { LABEL_HOSTNAME } from '../framework/types.js';

type Quantities = Record<string, string | number>;

export class PodWrapper {
  private readonly pod: Pod;

  constructor() {
    this.pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'pod', namespace: 'default', uid: 'pod-uid' },
      spec: { containers: [] },
    };
  }

  name(n: string): this {
    this.pod.metadata.name = n;
    this.pod.metadata.uid = `uid-${n}`;
    return this;
  }

  namespace(ns: string): this {
    this.pod.metadata.namespace = ns;
    return this;
  }

  label(k: string, v: string): this {
    this.pod.metadata.labels = { ...this.pod.metadata.labels, [k]: v };
    return this;
  }

  /** Adds a container with these requests. */
  req(requests: Quantities, limits?: Quantities): this {
    const i = this.pod.spec.containers.length;
    this.pod.spec.containers.push({ name: `c${i}`, image: 'busybox', resources: { requests: str(requests), ...(limits ? { limits: str(limits) } : {}) } } as never);
    return this;
  }

  /** Adds an init container with these requests; `sidecar` makes it restartPolicy Always. */
  initReq(requests: Quantities, sidecar = false): this {
    this.pod.spec.initContainers = [...(this.pod.spec.initContainers ?? []),
      { name: `i${this.pod.spec.initContainers?.length ?? 0}`, image: 'busybox', resources: { requests: str(requests) }, ...(sidecar ? { restartPolicy: 'Always' } : {}) } as never];
    return this;
  }

  /** Adds a container with a host port. */
  hostPort(port: number, protocol = 'TCP', hostIP?: string): this {
    const i = this.pod.spec.containers.length;
    this.pod.spec.containers.push({ name: `c${i}`, image: 'busybox', ports: [{ containerPort: port, hostPort: port, protocol, ...(hostIP ? { hostIP } : {}) }] } as never);
    return this;
  }

  node(name: string): this {
    this.pod.spec.nodeName = name;
    return this;
  }

  schedulerName(name: string): this {
    this.pod.spec.schedulerName = name;
    return this;
  }

  priority(p: number): this {
    this.pod.spec.priority = p;
    return this;
  }

  toleration(t: Toleration): this {
    this.pod.spec.tolerations = [...(this.pod.spec.tolerations ?? []), t];
    return this;
  }

  nodeSelector(sel: Record<string, string>): this {
    this.pod.spec.nodeSelector = sel;
    return this;
  }

  /** Adds a required node affinity term `key In values` (terms are ORed). */
  nodeAffinityIn(key: string, values: string[], operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' = 'In'): this {
    const na = this.nodeAffinity();
    na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] };
    na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.push({ matchExpressions: [{ key, operator, values }] });
    return this;
  }

  /** Adds a required node affinity term `metadata.name In names` (as the DaemonSet controller's pods carry). */
  nodeNameAffinity(...names: string[]): this {
    const na = this.nodeAffinity();
    na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] };
    na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.push({ matchFields: [{ key: 'metadata.name', operator: 'In', values: names }] });
    return this;
  }

  preferredNodeAffinity(weight: number, key: string, values: string[]): this {
    const na = this.nodeAffinity();
    na.preferredDuringSchedulingIgnoredDuringExecution = [...(na.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      { weight, preference: { matchExpressions: [{ key, operator: 'In', values }] } }];
    return this;
  }

  /** Required anti-affinity to pods labelled `key=value` within `topologyKey`. */
  podAntiAffinity(key: string, value: string, topologyKey = LABEL_HOSTNAME): this {
    return this.podAffinityTerm('podAntiAffinity', key, value, topologyKey);
  }

  /** Required affinity to pods labelled `key=value` within `topologyKey`. */
  podAffinity(key: string, value: string, topologyKey = LABEL_HOSTNAME): this {
    return this.podAffinityTerm('podAffinity', key, value, topologyKey);
  }

  /** Controlled by the owner with this uid (a ReplicaSet by default). */
  owner(uid: string, kind = 'ReplicaSet'): this {
    this.pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind, name: uid, uid, controller: true }];
    return this;
  }

  /** The pod; one container without requests if none was added (the API requires one). */
  obj(): Pod {
    const pod = structuredClone(this.pod);
    if (pod.spec.containers.length === 0) pod.spec.containers.push({ name: 'c0', image: 'busybox' } as never);
    return pod;
  }

  info(): PodInfo {
    return newPodInfo(this.obj());
  }

  private nodeAffinity() {
    this.pod.spec.affinity ??= {};
    this.pod.spec.affinity.nodeAffinity ??= {};
    return this.pod.spec.affinity.nodeAffinity;
  }

  private podAffinityTerm(kind: 'podAffinity' | 'podAntiAffinity', key: string, value: string, topologyKey: string): this {
    this.pod.spec.affinity ??= {};
    const a = (this.pod.spec.affinity[kind] ??= {});
    a.requiredDuringSchedulingIgnoredDuringExecution = [...(a.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      { labelSelector: { matchLabels: { [key]: value } }, topologyKey }];
    return this;
  }
}

export class NodeWrapper {
  private readonly node: Node;

  constructor() {
    this.node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node', labels: { [LABEL_HOSTNAME]: 'node' } }, spec: {}, status: {} };
  }

  /** Sets the name and the hostname label. */
  name(n: string): this {
    this.node.metadata.name = n;
    this.node.metadata.labels = { ...this.node.metadata.labels, [LABEL_HOSTNAME]: n };
    return this;
  }

  label(k: string, v: string): this {
    this.node.metadata.labels = { ...this.node.metadata.labels, [k]: v };
    return this;
  }

  /** Allocatable (and capacity) amounts; `pods` defaults to 110 when cpu or memory is given. */
  alloc(q: Quantities): this {
    const list = { pods: '110', ...str(q) };
    this.node.status = { ...this.node.status, allocatable: list, capacity: list };
    return this;
  }

  taint(key: string, value: string | undefined, effect: Taint['effect']): this {
    this.node.spec = { ...this.node.spec, taints: [...(this.node.spec?.taints ?? []), { key, ...(value !== undefined ? { value } : {}), effect }] };
    return this;
  }

  unschedulable(u = true): this {
    this.node.spec = { ...this.node.spec, unschedulable: u };
    return this;
  }

  /** status.images: each image's names and its size in bytes. */
  images(...list: [names: string[], sizeBytes: number][]): this {
    this.node.status = { ...this.node.status, images: list.map(([names, sizeBytes]) => ({ names, sizeBytes })) };
    return this;
  }

  obj(): Node {
    return structuredClone(this.node);
  }

  /** A NodeInfo of this node with these pods placed on it. */
  info(...pods: Pod[]): NodeInfo {
    let n = NodeInfo.of(this.obj());
    for (const p of pods) n = n.withPod(newPodInfo(p));
    return n;
  }
}

export const makePod = (): PodWrapper => new PodWrapper();
export const makeNode = (): NodeWrapper => new NodeWrapper();

/**
 * A NodeInfo of a node with exactly these labels, running one pod `<name>-<i>` per entry of `pods`,
 * labelled with that entry's keys (value ""), as upstream's spreading tests lay nodes out.
 */
export function labelledNode(name: string, labels: Record<string, string>, pods: string[][] = []): NodeInfo {
  const obj = makeNode().name(name).obj();
  obj.metadata.labels = labels;
  let info = NodeInfo.of(obj);
  pods.forEach((keys, i) => {
    let p = makePod().name(`${name}-${i}`);
    for (const k of keys) p = p.label(k, '');
    info = info.withPod(newPodInfo(p.obj()));
  });
  return info;
}

function str(q: Quantities): Record<string, string> {
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)]));
}
