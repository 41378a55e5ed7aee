/**
 * The HPA controller on an in-process API server, a simulated node (usage from the pods'
 * metrics.bosun.dev/cpu annotations) and a FakeClock, with no Deployment controller so the pods
 * stay as made: two pods at 400% of their request against a 50% target want 16 replicas.
 * - One pass per sync period (horizontal.go enqueueHPA: AddRateLimited, fixed 15 s interval): the
 *   first pass waits for the period, scales 2 -> 4 (max(2x, 4) without behavior), and its own
 *   status write does not start another pass; the next period takes it to 8.
 * - Two HPAs over the same pods: each refuses with AmbiguousSelector (validateAndParseSelector),
 *   currentMetrics cleared, FailedComputeMetricsReplicas recorded; deleting one lets the other scale.
 * - Current replicas above maxReplicas: scaled to max without metrics, currentMetrics cleared.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Event, HorizontalPodAutoscaler, Pod } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { resources } from '../../client/resource-ref.js';
import { FakeClock } from '../../controller-runtime/clock/fake-clock.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { addHorizontalPodAutoscalerController } from './hpa-controller.js';

const eventually = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50, retryErrors: true });
const SYNC = 15_000;

test('HPA controller: one pass per sync period, AmbiguousSelector, replicas above max', async (t) => {
  const ns = `hpa-${Math.random().toString(36).slice(2, 8)}`;
  // Ahead of real time, so pods started "now" are past any initialization period on the controller's clock.
  const clock = new FakeClock(Date.now() + 60 * 60_000);
  const env = await startControllerEnv({
    namespace: ns, shareClient: true, managerOptions: { clock },
    add: (mgr) => addHorizontalPodAutoscalerController(mgr, { cpuInitializationPeriodMs: 0, delayOfInitialReadinessStatusMs: 0 }),
  });
  const { client } = env;
  const holder: { fleet?: SimulatedFleet } = {};
  t.after(async () => {
    await holder.fleet?.close({ deleteNodes: true }); // before the server goes
    await env.stop();
  });
  const fleet = holder.fleet = await startSimulatedNodes(client, { count: 1, prefix: `${ns}-`, heartbeatMs: 500, readyDelayMs: 50, cpu: '8', memory: '8Gi', pods: 20, logger: quietLogger });

  const deployments = client.resource<KubeObject & { spec: { replicas: number } }>(resources.deployments, ns);
  const hpas = client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, ns);
  await deployments.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  } as never);
  for (const name of ['web-a', 'web-b']) {
    await client.pods(ns).create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' }, annotations: { 'metrics.bosun.dev/cpu': '400m' } },
      spec: { nodeName: fleet.nodeNames[0]!, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] },
    } as Pod);
  }
  await eventually(async () => (await client.pods<Pod>(ns).list()).items.filter((p) => p.status?.phase === 'Running').length === 2, 'pods Running');
  await eventually(async () => (await client.raw('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`) as { items: unknown[] }).items.length === 2, 'pod metrics');

  const hpa = (name: string, max = 20): HorizontalPodAutoscaler => ({
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: max, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
  }) as HorizontalPodAutoscaler;
  const replicas = async () => (await deployments.get('web')).spec.replicas;
  const events = async (reason: string) => (await client.resource<Event>(resources.events, ns).list()).items.filter((e) => e.reason === reason && e.involvedObject.name === 'web');
  const cond = (h: HorizontalPodAutoscaler, type: string) => h.status?.conditions?.find((c) => c.type === type);
  // An HPA event enqueues its key a period after the controller's informer shows it: wait for that before advancing.
  const cache = env.mgr.informers.informerFor<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers);
  const seen = (h: HorizontalPodAutoscaler) => eventually(async () => (cache.indexer.get(`${ns}/${h.metadata.name}`)?.metadata.generation ?? 0) >= h.metadata.generation!, `the informer at ${h.metadata.name}`);

  await seen(await hpas.create(hpa('web')));
  assert.equal(await replicas(), 2, 'no pass before the first sync period');
  clock.advance(SYNC);
  const first = await eventually(async () => {
    const h = await hpas.get('web');
    return h.status?.desiredReplicas === 4 && h.status.currentMetrics?.length ? h : undefined;
  }, 'the first pass at 4');
  assert.equal(cond(first, 'ScalingLimited')?.reason, 'ScaleUpLimit');
  // The status write above is an HPA event; upstream's next pass still waits for the period.
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(await replicas(), 4, 'the scale-up limit applies once per period');
  assert.equal((await events('SuccessfulRescale')).length, 1);
  clock.advance(SYNC);
  await eventually(async () => (await replicas()) === 8, 'the second period at 8');

  // The new HPA learns the selector on its first pass and refuses; the first HPA refuses from its
  // next pass on (one more period if it ran before the new one learnt its selector, as upstream).
  await seen(await hpas.create(hpa('web-2')));
  clock.advance(SYNC);
  await eventually(async () => cond(await hpas.get('web-2'), 'ScalingActive')?.reason === 'AmbiguousSelector', 'the new HPA AmbiguousSelector');
  clock.advance(SYNC);
  const ambiguous = await eventually(async () => {
    const [a, b] = [await hpas.get('web'), await hpas.get('web-2')];
    return cond(a, 'ScalingActive')?.reason === 'AmbiguousSelector' && cond(b, 'ScalingActive')?.reason === 'AmbiguousSelector' ? a : undefined;
  }, 'both HPAs AmbiguousSelector');
  assert.equal(cond(ambiguous, 'ScalingActive')?.message, `pods by selector app=web are controlled by multiple HPAs: [${ns}/web ${ns}/web-2]`);
  assert.equal(ambiguous.status?.currentMetrics, undefined, 'metrics cleared as setCurrentReplicasAndMetricsInStatus(nil)');
  assert.ok((await events('FailedComputeMetricsReplicas')).some((e) => e.message === cond(ambiguous, 'ScalingActive')?.message));

  await hpas.delete('web-2');
  await seen(await hpas.update({ ...(await hpas.get('web')), spec: hpa('web', 3).spec! }));
  clock.advance(SYNC);
  const capped = await eventually(async () => {
    const h = await hpas.get('web');
    return h.status?.desiredReplicas === 3 ? h : undefined;
  }, 'scaled down to maxReplicas');
  assert.equal(await replicas(), 3);
  assert.equal(capped.status?.currentMetrics, undefined, 'no metrics computed outside [min, max]');
  assert.ok((await events('SuccessfulRescale')).some((e) => e.message === 'New size: 3; reason: Current number of replicas above Spec.MaxReplicas'));
});
