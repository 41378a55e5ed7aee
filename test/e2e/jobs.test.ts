/**
 * Jobs and CronJobs on a real node (real containerd, the real kubectl 1.32), issue 15:
 * - kubernetes/website content/en/examples/controllers/job.yaml with its image substituted: perl
 *   is not on the node, so busybox's bc computes pi (`4*a(1)` to 20 places) instead of perl's
 *   bpi(2000). `kubectl wait --for=condition=complete`, `kubectl logs job/pi`, the
 *   STATUS/COMPLETIONS/DURATION columns, and `kubectl delete job` taking its pod with it.
 * - the website's Indexed Job example (content/en/examples/application/job/indexed-job.yaml) with
 *   the test image for docker.io/library/bash and docker.io/library/busybox (untagged, so pulled
 *   Always, and the node has no registry); the init container used bash arrays, so the same
 *   selection is written for busybox sh (`set --; shift`).
 * - podFailurePolicy on a real exit code: exit 42 matching a FailJob rule fails the Job at once with
 *   reason PodFailurePolicy, without the retries backoffLimit would allow.
 * - `kubectl create job --image`, `kubectl create cronjob`, `kubectl create job --from=cronjob/x`
 *   (the CronJob's template run now, as upstream's `create job --from`), `kubectl get cronjobs`.
 * Needs root and scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job, Pod } from '../../src/api/kinds/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';

// kubernetes/website content/en/examples/controllers/job.yaml; image and command substituted (see above).
const PI_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: bosun.test/busybox:1
        command: ["sh", "-c", "echo 'scale=20; 4*a(1)' | bc -l"]
      restartPolicy: Never
  backoffLimit: 4
`;

// kubernetes/website content/en/examples/application/job/indexed-job.yaml; images substituted and the
// init container's bash array rewritten for busybox sh.
const INDEXED_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: 'indexed-job'
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: 'input'
        image: 'bosun.test/busybox:1'
        command:
        - "sh"
        - "-c"
        - |
          set -- foo bar baz qux xyz
          shift $JOB_COMPLETION_INDEX
          echo $1 > /input/data.txt
        volumeMounts:
        - mountPath: /input
          name: input
      containers:
      - name: 'worker'
        image: 'bosun.test/busybox:1'
        command:
        - "rev"
        - "/input/data.txt"
        volumeMounts:
        - mountPath: /input
          name: input
      volumes:
      - name: input
        emptyDir: {}
`;

const FAIL_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: exit42
spec:
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        containerName: main
        operator: In
        values: [42]
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: bosun.test/busybox:1
        command: ["sh", "-c", "exit 42"]
`;

describe('jobs on a real node', { timeout: 300_000 }, () => {
  let node: NodeServer;

  before(async () => {
    node = await startNodeServer();
  });
  after(async () => {
    try {
      await node.stop();
    } finally {
      await node?.forceCleanup();
    }
  });

  /** kubectl wait, given longer than runKubectl's default 60 s kill. */
  const wait = async (...args: string[]) => {
    const r = await node.kubectl(['wait', '--timeout=180s', ...args], { timeoutMs: 200_000 });
    assert.equal(r.code, 0, `kubectl wait ${args.join(' ')}: ${r.stderr}${r.stdout}\n${await node.k('get', 'jobs,pods', '-o', 'wide')}`);
  };
  const getJob = async (name: string): Promise<Job> => JSON.parse(await node.k('get', 'job', name, '-o', 'json')) as Job;
  const podsOf = async (job: string): Promise<Pod[]> =>
    (JSON.parse(await node.k('get', 'pods', '-l', `batch.kubernetes.io/job-name=${job}`, '-o', 'json')) as { items: Pod[] }).items;

  it("upstream's pi Job completes; kubectl wait, logs job/, get jobs columns; delete job takes its pod", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: PI_JOB });
    assert.equal(r.code, 0, r.stderr);
    await wait('--for=condition=complete', 'job/pi');
    assert.equal((await node.k('logs', 'job/pi')).trim(), '3.14159265358979323844');
    const table = (await node.k('get', 'jobs')).split('\n');
    assert.match(table[0]!, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    assert.match(table[1]!, /^pi\s+Complete\s+1\/1\s+\d+s\s+\d+s$/);
    const job = await getJob('pi');
    assert.deepEqual(job.status?.conditions?.map((c) => [c.type, c.reason]), [['SuccessCriteriaMet', 'CompletionsReached'], ['Complete', 'CompletionsReached']]);
    const [pod] = await podsOf('pi');
    assert.equal(pod?.status?.phase, 'Succeeded');
    assert.deepEqual(pod?.metadata.finalizers ?? [], [], 'the tracking finalizer is gone once counted');
    await node.k('delete', 'job', 'pi');
    await waitFor('the pi pod deleted with its Job', async () => (await podsOf('pi')).length === 0, 60_000);
  });

  it("the website's Indexed Job: each index reverses its own word", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: INDEXED_JOB });
    assert.equal(r.code, 0, r.stderr);
    await wait('--for=condition=complete', 'job/indexed-job');
    const job = await getJob('indexed-job');
    assert.equal(job.status?.completedIndexes, '0-4');
    assert.equal(job.status?.succeeded, 5);
    const words = new Map<string, string>();
    for (const p of await podsOf('indexed-job')) {
      const ix = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
      words.set(ix!, (await node.k('logs', p.metadata.name!, '-c', 'worker')).trim());
    }
    assert.deepEqual(Object.fromEntries([...words].sort()), { 0: 'oof', 1: 'rab', 2: 'zab', 3: 'xuq', 4: 'zyx' });
  });

  it('podFailurePolicy: exit code 42 fails the Job at once (FailJob), no retries', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: FAIL_JOB });
    assert.equal(r.code, 0, r.stderr);
    await wait('--for=condition=failed', 'job/exit42');
    const job = await getJob('exit42');
    const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'PodFailurePolicy');
    assert.match(failed?.message ?? '', /^Container main for pod default\/exit42-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);
    assert.equal(job.status?.failed, 1);
    assert.equal((await podsOf('exit42')).length, 1, 'no retry pod');
    assert.match((await node.k('get', 'job', 'exit42')).split('\n')[1]!, /^exit42\s+Failed\s+0\/1\s/);
  });

  it('kubectl create job --image, create cronjob, create job --from=cronjob/x, get cronjobs', async () => {
    await node.k('create', 'job', 'hello', '--image=bosun.test/busybox:1', '--', 'echo', 'hello from a job');
    await wait('--for=condition=complete', 'job/hello');
    assert.equal((await node.k('logs', 'job/hello')).trim(), 'hello from a job');

    await node.k('create', 'cronjob', 'tick', '--image=bosun.test/busybox:1', '--schedule=*/1 * * * *', '--', 'echo', 'tick');
    const cjTable = (await node.k('get', 'cronjobs')).split('\n');
    assert.match(cjTable[0]!, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    assert.match(cjTable[1]!, /^tick\s+\*\/1 \* \* \* \*\s+<none>\s+false\s+\d+\s+\S+\s+\d+s$/);
    await node.k('create', 'job', 'tick-now', '--from=cronjob/tick');
    await wait('--for=condition=complete', 'job/tick-now');
    assert.equal((await node.k('logs', 'job/tick-now')).trim(), 'tick');
    const j = await getJob('tick-now');
    assert.equal(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(j.metadata.ownerReferences?.[0]?.kind, 'CronJob');
    await node.k('delete', 'cronjob', 'tick');
  });
});
