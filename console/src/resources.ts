/**
 * The kinds the console shows: where each lives in the API, its list columns and a one-word health
 * (ok / warn / bad) that lists, counts and the topology picture colour by.
 */
import { age, condition, type Obj } from './kube.js';

export type Health = 'ok' | 'warn' | 'bad' | 'idle';
export interface Column { title: string; value: (o: Obj) => string }
export interface ResourceDef {
  /** Route name (#/r/<plural>). */
  plural: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  section: 'Workloads' | 'Pods' | 'Network' | 'Config' | 'Storage' | 'Cluster';
  columns: Column[];
  /** Health and the word shown in the status column. */
  status: (o: Obj) => { health: Health; text: string };
}

export function podStatus(p: Obj): { health: Health; text: string } {
  if (p.metadata.deletionTimestamp) return { health: 'warn', text: 'Terminating' };
  const st = p.status ?? {};
  const waiting = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]
    .map((c: { state?: { waiting?: { reason?: string }; terminated?: { reason?: string } } }) => c.state?.waiting?.reason ?? (c.state?.terminated && st.phase === 'Running' ? c.state.terminated.reason : undefined))
    .find(Boolean) as string | undefined;
  if (st.phase === 'Succeeded') return { health: 'idle', text: st.reason ?? 'Completed' };
  if (st.phase === 'Failed') return { health: 'bad', text: st.reason ?? 'Failed' };
  if (waiting) return { health: /BackOff|Err|Invalid/.test(waiting) ? 'bad' : 'warn', text: waiting };
  if (st.phase === 'Running') return condition(p, 'Ready')?.status === 'True' ? { health: 'ok', text: 'Running' } : { health: 'warn', text: 'NotReady' };
  if (!p.spec?.nodeName) return { health: 'warn', text: condition(p, 'PodScheduled')?.reason ?? 'Pending' };
  return { health: 'warn', text: st.phase ?? 'Pending' };
}

const ready = (p: Obj): string => {
  const cs = (p.status?.containerStatuses ?? []) as { ready?: boolean }[];
  return `${cs.filter((c) => c.ready).length}/${(p.spec?.containers ?? []).length}`;
};
const restarts = (p: Obj): string => String(((p.status?.containerStatuses ?? []) as { restartCount?: number }[]).reduce((n, c) => n + (c.restartCount ?? 0), 0));
const ageCol: Column = { title: 'Age', value: (o) => age(o.metadata.creationTimestamp) };

/** Replicated workloads: healthy when every desired replica is ready. */
function replicated(desired: (o: Obj) => number, readyN: (o: Obj) => number) {
  return (o: Obj): { health: Health; text: string } => {
    const d = desired(o);
    const r = readyN(o);
    if (d === 0) return { health: 'idle', text: 'Scaled to 0' };
    if (o.kind !== 'DaemonSet' && condition(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded') return { health: 'bad', text: 'Stalled' };
    return r >= d ? { health: 'ok', text: 'Ready' } : { health: r === 0 ? 'bad' : 'warn', text: `${r}/${d} ready` };
  };
}
const replicas = (o: Obj): number => o.spec?.replicas ?? 1;
const readyReplicas = (o: Obj): number => o.status?.readyReplicas ?? 0;
const workloadCols: Column[] = [
  { title: 'Ready', value: (o) => `${readyReplicas(o)}/${replicas(o)}` },
  { title: 'Up-to-date', value: (o) => String(o.status?.updatedReplicas ?? 0) },
  { title: 'Available', value: (o) => String(o.status?.availableReplicas ?? 0) },
  ageCol,
];
const always = (text = ''): ResourceDef['status'] => () => ({ health: 'ok', text });

export const RESOURCES: ResourceDef[] = [
  { plural: 'deployments', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', columns: workloadCols, status: replicated(replicas, readyReplicas) },
  { plural: 'statefulsets', kind: 'StatefulSet', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', columns: workloadCols, status: replicated(replicas, readyReplicas) },
  {
    plural: 'daemonsets', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads',
    columns: [{ title: 'Desired', value: (o) => String(o.status?.desiredNumberScheduled ?? 0) }, { title: 'Ready', value: (o) => String(o.status?.numberReady ?? 0) }, ageCol],
    status: replicated((o) => o.status?.desiredNumberScheduled ?? 0, (o) => o.status?.numberReady ?? 0),
  },
  { plural: 'replicasets', kind: 'ReplicaSet', group: 'apps', version: 'v1', namespaced: true, section: 'Workloads', columns: workloadCols.filter((c) => c.title !== 'Up-to-date'), status: replicated(replicas, readyReplicas) },
  {
    plural: 'jobs', kind: 'Job', group: 'batch', version: 'v1', namespaced: true, section: 'Workloads',
    columns: [{ title: 'Completions', value: (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}` }, ageCol],
    status: (o) => (condition(o, 'Failed')?.status === 'True' ? { health: 'bad', text: 'Failed' } : condition(o, 'Complete')?.status === 'True' ? { health: 'idle', text: 'Complete' } : { health: 'ok', text: 'Running' }),
  },
  {
    plural: 'cronjobs', kind: 'CronJob', group: 'batch', version: 'v1', namespaced: true, section: 'Workloads',
    columns: [{ title: 'Schedule', value: (o) => String(o.spec?.schedule ?? '') }, { title: 'Suspend', value: (o) => String(!!o.spec?.suspend) }, ageCol],
    status: (o) => (o.spec?.suspend ? { health: 'idle', text: 'Suspended' } : { health: 'ok', text: 'Active' }),
  },
  {
    plural: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true, section: 'Pods',
    columns: [{ title: 'Ready', value: ready }, { title: 'Restarts', value: restarts }, { title: 'Node', value: (o) => String(o.spec?.nodeName ?? '') }, { title: 'IP', value: (o) => String(o.status?.podIP ?? '') }, ageCol],
    status: podStatus,
  },
  {
    plural: 'services', kind: 'Service', group: '', version: 'v1', namespaced: true, section: 'Network',
    columns: [
      { title: 'Type', value: (o) => String(o.spec?.type ?? 'ClusterIP') },
      { title: 'Cluster IP', value: (o) => String(o.spec?.clusterIP ?? '') },
      { title: 'Ports', value: (o) => ((o.spec?.ports ?? []) as { port: number; protocol?: string; nodePort?: number }[]).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') },
      ageCol,
    ],
    status: always(),
  },
  {
    plural: 'ingresses', kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', namespaced: true, section: 'Network',
    columns: [{ title: 'Hosts', value: (o) => ((o.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host ?? '*').join(',') }, ageCol],
    status: always(),
  },
  { plural: 'endpointslices', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true, section: 'Network', columns: [{ title: 'Endpoints', value: (o) => String(((o as { endpoints?: unknown[] }).endpoints ?? []).length) }, ageCol], status: always() },
  { plural: 'configmaps', kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, section: 'Config', columns: [{ title: 'Data', value: (o) => String(Object.keys((o as { data?: object }).data ?? {}).length) }, ageCol], status: always() },
  { plural: 'secrets', kind: 'Secret', group: '', version: 'v1', namespaced: true, section: 'Config', columns: [{ title: 'Type', value: (o) => String((o as { type?: string }).type ?? '') }, { title: 'Data', value: (o) => String(Object.keys((o as { data?: object }).data ?? {}).length) }, ageCol], status: always() },
  {
    plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', group: '', version: 'v1', namespaced: true, section: 'Storage',
    columns: [{ title: 'Volume', value: (o) => String(o.spec?.volumeName ?? '') }, { title: 'Capacity', value: (o) => String(o.status?.capacity?.storage ?? '') }, ageCol],
    status: (o) => (o.status?.phase === 'Bound' ? { health: 'ok', text: 'Bound' } : { health: 'warn', text: o.status?.phase ?? 'Pending' }),
  },
  {
    plural: 'persistentvolumes', kind: 'PersistentVolume', group: '', version: 'v1', namespaced: false, section: 'Storage',
    columns: [{ title: 'Capacity', value: (o) => String(o.spec?.capacity?.storage ?? '') }, { title: 'Claim', value: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '') }, ageCol],
    status: (o) => ({ health: o.status?.phase === 'Failed' ? 'bad' : 'ok', text: o.status?.phase ?? '' }),
  },
  { plural: 'storageclasses', kind: 'StorageClass', group: 'storage.k8s.io', version: 'v1', namespaced: false, section: 'Storage', columns: [{ title: 'Provisioner', value: (o) => String((o as { provisioner?: string }).provisioner ?? '') }, ageCol], status: always() },
  {
    plural: 'nodes', kind: 'Node', group: '', version: 'v1', namespaced: false, section: 'Cluster',
    columns: [
      { title: 'CPU', value: (o) => String(o.status?.allocatable?.cpu ?? '') },
      { title: 'Memory', value: (o) => String(o.status?.allocatable?.memory ?? '') },
      { title: 'Version', value: (o) => String(o.status?.nodeInfo?.kubeletVersion ?? '') },
      ageCol,
    ],
    status: (o) => {
      const r = condition(o, 'Ready');
      const base = r?.status === 'True' ? { health: 'ok' as Health, text: 'Ready' } : { health: 'bad' as Health, text: r?.status === 'Unknown' ? 'Unknown' : 'NotReady' };
      return o.spec?.unschedulable ? { health: 'warn', text: `${base.text},SchedulingDisabled` } : base;
    },
  },
  { plural: 'namespaces', kind: 'Namespace', group: '', version: 'v1', namespaced: false, section: 'Cluster', columns: [ageCol], status: (o) => ({ health: o.status?.phase === 'Terminating' ? 'warn' : 'ok', text: o.status?.phase ?? 'Active' }) },
  {
    plural: 'events', kind: 'Event', group: '', version: 'v1', namespaced: true, section: 'Cluster',
    columns: [{ title: 'Reason', value: (o) => String((o as { reason?: string }).reason ?? '') }, { title: 'Object', value: (o) => { const io = (o as { involvedObject?: { kind?: string; name?: string } }).involvedObject; return `${io?.kind ?? ''}/${io?.name ?? ''}`; } }, { title: 'Message', value: (o) => String((o as { message?: string }).message ?? '') }],
    status: (o) => ((o as { type?: string }).type === 'Warning' ? { health: 'warn', text: 'Warning' } : { health: 'ok', text: 'Normal' }),
  },
];

export const byPlural = new Map(RESOURCES.map((r) => [r.plural, r]));
export const byKind = new Map(RESOURCES.map((r) => [r.kind, r]));

/** The collection path: /api/v1/pods, /apis/apps/v1/namespaces/ns/deployments. */
export function collectionPath(r: ResourceDef, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}

export function objectPath(r: ResourceDef, namespace: string | undefined, name: string, sub?: string): string {
  return `${collectionPath(r, r.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}
