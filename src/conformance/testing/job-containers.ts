/**
 * What the containers of upstream's e2e Jobs do (test/e2e/framework/job's NewTestJob behaviours,
 * shell commands in busybox), played against pods the simulated nodes run: once a pod is Running,
 * its container "exits" as the behaviour says and the pod's status is written as the kubelet writes
 * it (terminatedStatusPatch). A pod being deleted before it ended is killed: Failed with 137, as the
 * kubelet reports a container stopped by SIGKILL before it lets the pod go.
 * - succeed: exit 0.
 * - notTerminate: runs until deleted.
 * - failOnce: the first container exits 1, later ones 0 (upstream: a marker file in an emptyDir or,
 *   on one node, a hostPath); with restartPolicy OnFailure the failure is a local restart of the
 *   same pod, which then succeeds.
 * - notTerminateOncePerIndex: each completion index's first pod runs until deleted, later ones exit 0.
 */
import type { Pod, Job } from '../../api/kinds/index.js';
import type { WatchEvent } from '../../api/meta.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { terminatedStatusPatch } from '../../simulated-nodes/index.js';

export type Behaviour = 'succeed' | 'notTerminate' | 'failOnce' | 'notTerminateOncePerIndex';

const INDEX = 'batch.kubernetes.io/job-completion-index';

/** e2ejob.NewTestJob (the container's command is the behaviour, played by `playContainers`). */
export function newTestJob(name: string, restartPolicy: 'Never' | 'OnFailure', parallelism: number, completions: number, backoffLimit: number): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: {
      parallelism, completions, backoffLimit, manualSelector: false,
      template: {
        metadata: { labels: { somekey: 'somevalue' } },
        spec: { restartPolicy, volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1', volumeMounts: [{ mountPath: '/data', name: 'data' }] }] },
      },
    },
  } as Job;
}

/** Plays `behaviour` for the pods of Job `name` until `stop()`. */
export async function playContainers(client: KubeClient, ns: string, name: string, behaviour: Behaviour): Promise<{ stop(): Promise<void> }> {
  const pods = client.pods<Pod>(ns);
  const w = await pods.watch({ labelSelector: `batch.kubernetes.io/job-name=${name}` });
  const done = new Set<string>();
  const started = new Set<string>();
  let failedOnce = false;
  const exit = (p: Pod, code: number, restarts = 0) => pods.patchStatus(p.metadata.name!, 'merge', { metadata: { uid: p.metadata.uid }, status: terminatedStatusPatch(p, Date.now(), code, restarts) })
    .catch((e: unknown) => (isNotFound(e) || isConflict(e) ? undefined : Promise.reject(e)));
  const onEvent = async (ev: WatchEvent<Pod>) => {
    const p = ev.object;
    const uid = p.metadata.uid ?? '';
    const phase = p.status?.phase;
    if (ev.type === 'DELETED' || done.has(uid) || phase === 'Succeeded' || phase === 'Failed') return;
    if (p.metadata.deletionTimestamp) {
      done.add(uid);
      return void (await exit(p, 137));
    }
    if (phase !== 'Running') return;
    const index = p.metadata.annotations?.[INDEX] ?? '';
    switch (behaviour) {
      case 'notTerminate':
        return;
      case 'notTerminateOncePerIndex':
        if (!started.has(index)) return void started.add(index);
        break;
      case 'failOnce':
        if (!failedOnce) {
          failedOnce = true;
          done.add(uid);
          // OnFailure: the kubelet restarts the container in place and the second run succeeds.
          return void (await (p.spec?.restartPolicy === 'OnFailure' ? exit(p, 0, 1) : exit(p, 1)));
        }
        break;
      case 'succeed':
        break;
    }
    done.add(uid);
    await exit(p, 0);
  };
  let chain = Promise.resolve();
  const loop = (async () => {
    for await (const ev of w) {
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') chain = chain.then(() => onEvent(ev as WatchEvent<Pod>));
    }
  })();
  return {
    async stop() {
      w.stop();
      await loop.catch(() => {});
      await chain;
    },
  };
}
