/**
 * A namespace with a ResourceQuota and a LimitRange, driven through the real kubectl against an API
 * server with the resource quota controller (issue 17): the LimitRange's defaults land on a pod with
 * upstream's annotation, `kubectl describe quota` shows usage, the pod over quota is refused with
 * upstream's message (plugin/pkg/admission/resourcequota: "exceeded quota: q, requested: pods=1,
 * used: pods=2, limited: pods=2"), a compute quota refuses a pod without limits ("must specify"),
 * usage is released when a pod is deleted, and racing creates cannot both pass.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { addResourceQuotaController } from './resource-quota-controller.js';

const NS = `rq-${process.pid}-${Date.now().toString(36)}`;
let env: ControllerEnv;

before(async () => {
  env = await startControllerEnv({ namespace: NS, add: (mgr) => addResourceQuotaController(mgr) });
});
after(() => env?.stop());

const podYaml = (name: string, resources = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers:
  - name: app
    image: registry.example/app:1
${resources}`;

const used = async (quota: string, resource: string) =>
  kubectlOk(env.ts, ['-n', NS, 'get', 'quota', quota, '-o', `jsonpath={.status.used.${resource.replace(/\./g, '\\.')}}`]);

test('LimitRange defaults, describe quota usage, and the pod over quota refused with upstream\'s message', async () => {
  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: `apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
    max: {cpu: "1"}
` });
  assert.match(await kubectlOk(env.ts, ['-n', NS, 'get', 'limits']), /^NAME\s+CREATED AT\nlimits\s+\d{4}-/);
  // The stored LimitRange carries upstream's defaulting (default request from the default limit, max as given).
  const described = await kubectlOk(env.ts, ['-n', NS, 'describe', 'limits', 'limits']);
  assert.match(described, /Container\s+cpu\s+-\s+1\s+100m\s+500m\s+-/);
  assert.match(described, /Container\s+memory\s+-\s+-\s+128Mi\s+256Mi\s+-/);
  assert.match(await kubectlOk(env.ts, ['-n', NS, 'create', 'quota', 'q', '--hard=pods=2,requests.cpu=1,limits.memory=1Gi']), /resourcequota\/q created/);
  await eventually(async () => (await used('q', 'pods')) === '0', 'the controller fills status.used');

  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: podYaml('p1') });
  const res = JSON.parse(await kubectlOk(env.ts, ['-n', NS, 'get', 'pod', 'p1', '-o', 'jsonpath={.spec.containers[0].resources}']));
  assert.deepEqual(res, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  assert.equal(await kubectlOk(env.ts, ['-n', NS, 'get', 'pod', 'p1', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}']),
    'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');

  const big = await env.ts.kubectl(['-n', NS, 'apply', '-f', '-'], { input: podYaml('big', '    resources: {limits: {cpu: "2"}}') });
  assert.equal(big.code, 1);
  assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);

  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: podYaml('p2') });
  const over = await env.ts.kubectl(['-n', NS, 'apply', '-f', '-'], { input: podYaml('p3') });
  assert.equal(over.code, 1);
  assert.match(over.stderr, /Error from server \(Forbidden\): .*pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);

  const quotaDescribed = await kubectlOk(env.ts, ['-n', NS, 'describe', 'quota', 'q']);
  assert.match(quotaDescribed, /Resource\s+Used\s+Hard/);
  assert.match(quotaDescribed, /limits\.memory\s+512Mi\s+1Gi/);
  assert.match(quotaDescribed, /pods\s+2\s+2/);
  assert.match(quotaDescribed, /requests\.cpu\s+200m\s+1/);
  assert.match(await kubectlOk(env.ts, ['-n', NS, 'get', 'quota']), /q\s+\S+\s+pods: 2\/2, requests\.cpu: 200m\/1\s+limits\.memory: 512Mi\/1Gi/);

  // Deleting a pod gives its share back (the controller recomputes), and the next create fits.
  await kubectlOk(env.ts, ['-n', NS, 'delete', 'pod', 'p2', '--grace-period=0', '--force']);
  await eventually(async () => (await used('q', 'pods')) === '1', 'usage released after the delete');
  await kubectlOk(env.ts, ['-n', NS, 'apply', '-f', '-'], { input: podYaml('p3') });
  assert.equal(await used('q', 'pods'), '2');
});

test('a compute quota refuses a container without the limit it tracks: "must specify"', async () => {
  const ns = `${NS}-c`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await kubectlOk(env.ts, ['-n', ns, 'create', 'quota', 'compute', '--hard=limits.cpu=4']);
  await eventually(async () => (await kubectlOk(env.ts, ['-n', ns, 'get', 'quota', 'compute', '-o', 'jsonpath={.status.used.limits\\.cpu}'])) === '0', 'status.used');
  const r = await env.ts.kubectl(['-n', ns, 'apply', '-f', '-'], { input: podYaml('nolimit') });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pods "nolimit" is forbidden: failed quota: compute: must specify limits.cpu for: app/);
  await kubectlOk(env.ts, ['delete', 'namespace', ns, '--wait=false']);
});

test('racing creates: with room for one more pod, exactly one of several concurrent creates passes', async () => {
  const ns = `${NS}-race`;
  await kubectlOk(env.ts, ['create', 'namespace', ns]);
  await kubectlOk(env.ts, ['-n', ns, 'create', 'quota', 'one', '--hard=pods=1,count/configmaps=3']);
  await eventually(async () => (await kubectlOk(env.ts, ['-n', ns, 'get', 'quota', 'one', '-o', 'jsonpath={.status.used.pods}'])) === '0', 'status.used');
  const pods = env.client.resource<any>({ group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod' } as any, ns);
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `r${i}` }, spec: { containers: [{ name: 'c', image: 'x' }] } })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.match(String((r.reason as Error).message), /exceeded quota: one, requested: pods=1, used: pods=1, limited: pods=1/);
  assert.equal((await pods.list()).items.length, 1);
  // count/<resource> names count too.
  for (const name of ['a', 'b', 'c']) await kubectlOk(env.ts, ['-n', ns, 'create', 'configmap', name]);
  const r = await env.ts.kubectl(['-n', ns, 'create', 'configmap', 'd']);
  assert.match(r.stderr, /configmaps "d" is forbidden: exceeded quota: one, requested: count\/configmaps=1, used: count\/configmaps=3, limited: count\/configmaps=3/);
  await kubectlOk(env.ts, ['delete', 'namespace', ns, '--wait=false']);
});
