/**
 * The workload of the multi-node tests and the failover bench: a Deployment `web` of busybox httpd
 * pods that answer `GET /` with their own pod name (so a response tells which pod, hence which node,
 * served it), with a readiness probe, and a ClusterIP Service `web` (port 80 -> 8080). Plus the
 * small polling helpers those tests share.
 */
import type { Pod } from '../api/kinds/index.js';
import type { KubeClient } from '../client/kube-client.js';
import { BUSYBOX_IMAGE } from '../agent/testing/private-containerd.js';
import { eventually, type Check } from './eventually.js';
import type { KubectlResult } from './test-cluster.js';

/** Polls `fn` every 200 ms until it returns a truthy value (errors count as not yet). */
export function until<T>(what: string, fn: Check<T>, timeoutMs = 60_000): Promise<T> {
  return eventually(fn, what, { timeoutMs, intervalMs: 200, retryErrors: true });
}

export interface WebDeploymentOptions {
  name?: string;
  replicas: number;
  /** Extra pod spec fields (e.g. tolerations, affinity). */
  podSpec?: Record<string, unknown>;
}

/** The Deployment and Service manifests as a stream of two JSON documents. */
export function webManifests(namespace: string, o: WebDeploymentOptions): string {
  const name = o.name ?? 'web';
  const labels = { app: name };
  return [
      {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
        spec: {
          replicas: o.replicas, selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [{
                name: 'web', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', ports: [{ containerPort: 8080 }],
                command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'],
                readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
              }],
              ...o.podSpec,
            },
          },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
  ].map((d) => JSON.stringify(d)).join('\n');
}

/** Applies the web Deployment and Service with kubectl; resolves to the Service's ClusterIP. */
export async function applyWebDeployment(kubectl: (args: string[], o?: { input?: string }) => Promise<KubectlResult>, namespace: string, o: WebDeploymentOptions): Promise<string> {
  const r = await kubectl(['apply', '-f', '-'], { input: webManifests(namespace, o) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
  const ip = await kubectl(['get', 'service', o.name ?? 'web', '-n', namespace, '-o', 'jsonpath={.spec.clusterIP}']);
  if (ip.code !== 0 || !ip.stdout) throw new Error(`no ClusterIP: ${ip.stderr}`);
  return ip.stdout.trim();
}

const isReady = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The pods of app `app` that are Running, Ready and not being deleted. */
export async function readyPods(client: KubeClient, namespace: string, app = 'web'): Promise<Pod[]> {
  return (await client.pods<Pod>(namespace).list({ labelSelector: `app=${app}` })).items.filter(isReady);
}

/** Pods grouped by spec.nodeName. */
export function podsByNode(pods: Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) m.set(p.spec!.nodeName!, [...(m.get(p.spec!.nodeName!) ?? []), p]);
  return m;
}
