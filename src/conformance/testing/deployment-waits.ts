/**
 * Upstream's e2e helpers for Deployments and ReplicaSets (test/e2e/framework/deployment,
 * test/utils/deployment.go, test/e2e/apps/deployment.go's waits), on the REST client: the
 * objects e2edeployment.NewDeployment and newRS build, the new and old ReplicaSets of a Deployment
 * as deploymentutil finds them, and the waits the conformance tests poll.
 */
import type { Deployment, ReplicaSet } from '../../api/kinds/index.js';
import type { KubeObject, WatchEvent } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceClient } from '../../client/resource-client.js';
import { eventually } from '../../testing/eventually.js';
import { WatchReader } from './watch-reader.js';

export const WAIT = { timeoutMs: 30_000, intervalMs: 50 };
export const WEBSERVER = { name: 'httpd', image: 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4' };
export const AGNHOST = { name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' };
export const REVISION = 'deployment.kubernetes.io/revision';

/** e2edeployment.NewDeployment. */
export function newDeployment(name: string, replicas: number, podLabels: Record<string, string>, imageName: string, image: string, strategy: 'RollingUpdate' | 'Recreate'): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { ...podLabels } },
    spec: {
      replicas, selector: { matchLabels: { ...podLabels } }, strategy: { type: strategy },
      template: { metadata: { labels: { ...podLabels } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: imageName, image, securityContext: {} }] } },
    },
  } as Deployment;
}

/** apps/deployment.go's newRS (also replica_set.go's newRS). */
export function newRS(name: string, replicas: number, podLabels: Record<string, string>, imageName: string, image: string): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, labels: { ...podLabels } },
    spec: {
      replicas, selector: { matchLabels: { ...podLabels } },
      template: { metadata: { labels: { ...podLabels } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: imageName, image, securityContext: {} }] } },
    },
  } as ReplicaSet;
}

/** JSON with sorted keys, for deploymentutil.EqualIgnoreHash's template comparison. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function withoutHash(t: unknown): string {
  const copy = JSON.parse(JSON.stringify(t ?? {})) as { metadata?: { labels?: Record<string, string> } };
  delete copy.metadata?.labels?.['pod-template-hash'];
  return canonical(copy);
}

/** The ReplicaSets the Deployment controls (deploymentutil.ListReplicaSets: selector and controllerRef). */
export async function ownedReplicaSets(client: KubeClient, d: Deployment): Promise<ReplicaSet[]> {
  const sel = Object.entries(d.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const all = (await client.replicaSets<ReplicaSet>(d.metadata.namespace).list({ labelSelector: sel })).items;
  return all.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === d.metadata.uid));
}

/** testutil.GetNewReplicaSet: the owned ReplicaSet whose template equals the Deployment's, hash aside. */
export async function newReplicaSet(client: KubeClient, d: Deployment): Promise<ReplicaSet | undefined> {
  const want = withoutHash(d.spec?.template);
  return (await ownedReplicaSets(client, d)).find((rs) => withoutHash(rs.spec?.template) === want);
}

/** testutil.GetOldReplicaSets' allOldRSs: every other owned ReplicaSet. */
export async function oldReplicaSets(client: KubeClient, d: Deployment): Promise<ReplicaSet[]> {
  const want = withoutHash(d.spec?.template);
  return (await ownedReplicaSets(client, d)).filter((rs) => withoutHash(rs.spec?.template) !== want);
}

/** e2edeployment.WaitForDeploymentRevisionAndImage: the Deployment and its new ReplicaSet at `revision`, with `image`. */
export function waitForRevisionAndImage(client: KubeClient, ns: string, name: string, revision: string, image: string): Promise<ReplicaSet> {
  return eventually(async () => {
    const d = await client.deployments<Deployment>(ns).get(name);
    const rs = await newReplicaSet(client, d);
    return d.metadata.annotations?.[REVISION] === revision && rs?.metadata.annotations?.[REVISION] === revision
      && d.spec?.template.spec?.containers[0]?.image === image && rs.spec?.template?.spec?.containers[0]?.image === image && rs;
  }, `deployment ${ns}/${name} at revision ${revision} with image ${image}`, WAIT);
}

/** testutil's deployment completeness: every replica updated and available, the generation observed. */
export function isComplete(d: Deployment): boolean {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/**
 * e2edeployment.WaitForDeploymentComplete, and with `checkRolling` waitForDeploymentCompleteAndCheckRolling:
 * while it rolls, never more than replicas + maxSurge pods nor fewer than replicas - maxUnavailable available.
 */
export function waitForComplete(client: KubeClient, ns: string, name: string, checkRolling = false): Promise<Deployment> {
  return eventually(async () => {
    const d = await client.deployments<Deployment>(ns).get(name);
    if (checkRolling && !isComplete(d)) {
      const want = d.spec?.replicas ?? 1;
      const ru = d.spec?.strategy?.rollingUpdate;
      const scaled = (v: unknown, up: boolean) => (typeof v === 'string' ? (up ? Math.ceil : Math.floor)((parseInt(v, 10) * want) / 100) : Number(v ?? 0));
      const maxSurge = scaled(ru?.maxSurge ?? '25%', true);
      const maxUnavailable = scaled(ru?.maxUnavailable ?? '25%', false);
      if ((d.status?.replicas ?? 0) > want + maxSurge) throw new Error(`total pods ${d.status?.replicas} exceed replicas + maxSurge ${want + maxSurge}`);
      if ((d.status?.availableReplicas ?? 0) < want - maxUnavailable) throw new Error(`available ${d.status?.availableReplicas} below replicas - maxUnavailable ${want - maxUnavailable}`);
    }
    return isComplete(d) && d;
  }, `deployment ${ns}/${name} complete`, WAIT);
}

/** watchtools.Until from `resourceVersion`: events until `done` holds for one; resolves to that event. */
export async function watchUntil<T extends KubeObject>(rc: ResourceClient<T>, opts: { resourceVersion?: string; labelSelector?: string; fieldSelector?: string }, done: (ev: WatchEvent<T>) => boolean, what: string): Promise<WatchEvent<T>> {
  const r = new WatchReader<T>(await rc.watch(opts), WAIT.timeoutMs);
  try {
    return await readUntil(r, done, what);
  } finally {
    r.stop();
  }
}

/** watchUntilWithoutRetry: reads an open watch on until `done` holds for an event (the watch stays open). */
export async function readUntil<T extends KubeObject>(r: WatchReader<T>, done: (ev: WatchEvent<T>) => boolean, what: string): Promise<WatchEvent<T>> {
  for (;;) {
    const ev = await r.next(what);
    if (ev.type === 'ERROR') throw new Error(`watch error while waiting for ${what}: ${JSON.stringify(ev.object)}`);
    if (done(ev)) return ev;
  }
}
