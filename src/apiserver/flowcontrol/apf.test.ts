/**
 * API Priority and Fairness: classification against upstream's v1.32 bootstrap configuration
 * (bootstrap/default.go), and the limiter's seats, queues, 429s and metrics (as upstream's APF
 * filter: apf-limiter.ts; fair queuing and borrowing have their own tests).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { apiserverRegistry } from '../prometheus/apiserver-metrics.js';
import { setFlowcontrolMetricsSource } from '../prometheus/flowcontrol-metrics.js';
import { ApfLimiter } from './apf-limiter.js';
import { classify, inMatchingOrder, type RequestDigest } from './classify.js';
import { digest, fakeClock, held, is429, levels, limitedLevel, schemas, userSchema, withLevel } from './testing/apf-fixtures.js';

describe('APF classification (upstream bootstrap configuration)', () => {
  const ordered = inMatchingOrder(schemas);
  const to = (d: RequestDigest) => classify(ordered, () => true, d)?.metadata.name;
  const cases: [string, RequestDigest, string][] = [
    ['a node updating its status', digest('system:node:n1', ['system:nodes'], 'patch', '', 'nodes/status', ''), 'system-node-high'],
    ['a node renewing its lease', digest('system:node:n1', ['system:nodes'], 'update', 'coordination.k8s.io', 'leases', 'kube-node-lease'), 'system-node-high'],
    ['a node listing pods', digest('system:node:n1', ['system:nodes'], 'list', '', 'pods', ''), 'system-nodes'],
    ['the scheduler binding a pod', digest('system:kube-scheduler', [], 'create', '', 'pods/binding', 'default'), 'kube-scheduler'],
    ['the scheduler renewing its leader lease', digest('system:kube-scheduler', [], 'update', 'coordination.k8s.io', 'leases', 'kube-system'), 'system-leader-election'],
    ['the controller manager writing endpoints', digest('system:kube-controller-manager', [], 'update', '', 'endpoints', 'default'), 'endpoint-controller'],
    ['a kube-system service account', digest('system:serviceaccount:kube-system:replicaset-controller', ['system:serviceaccounts', 'system:serviceaccounts:kube-system'], 'create', '', 'pods', 'default'), 'kube-system-service-accounts'],
    ['a service account in default', digest('system:serviceaccount:default:app', ['system:serviceaccounts', 'system:serviceaccounts:default'], 'list', '', 'pods', 'default'), 'service-accounts'],
    ['an ordinary user', digest('alice', [], 'get', 'apps', 'deployments', 'default'), 'global-default'],
    ['an anonymous request', digest('system:anonymous', ['system:unauthenticated'], 'get', '', 'namespaces', ''), 'global-default'],
    ['system:masters', digest('admin', ['system:masters'], 'delete', '', 'pods', 'default'), 'exempt'],
  ];
  for (const [what, d, want] of cases) it(`${what}: ${want}`, () => assert.equal(to(d), want));

  it('probes are exempt, other non-resource requests global-default; a FlowSchema whose level is missing is skipped', () => {
    const nr = (path: string): RequestDigest => ({ user: 'alice', groups: ['system:authenticated'], verb: 'get', isResource: false, apiGroup: '', resource: '', namespace: '', path });
    assert.equal(to(nr('/readyz')), 'probes');
    assert.equal(to(nr('/version')), 'global-default');
    assert.equal(classify(ordered, (n) => n !== 'global-default', digest('alice', [], 'get', '', 'pods', 'x'))?.metadata.name, 'catch-all');
  });
});

describe('APF limiter', () => {
  const alice = digest('alice', [], 'get', '', 'pods', 'default');
  const names = ['catch-all', 'system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'exempt'];

  it('nominal limits are ceil(600 * shares / sum of all shares); at start idle levels lend in proportion to what they keep; the response names the FlowSchema and level', () => {
    const l = new ApfLimiter(600, fakeClock().now);
    l.setConfig(schemas, levels);
    assert.deepEqual(names.map((n) => l.limitOf(n)), [13, 74, 98, 25, 98, 245, 49, 0]);
    // minCL = nominal - round(nominal * lendablePercent / 100): 13, 50, 73, 25, 49, 24, 24, 0; scaled to the 602 nominal seats.
    assert.deepEqual(names.map((n) => l.series().currentLimits.get(n)), [30, 117, 170, 58, 114, 56, 56, 0]);
    const res = held();
    assert.equal(l.admit(res, alice), undefined);
    assert.deepEqual(res.headers, { 'X-Kubernetes-PF-FlowSchema-UID': 'fs-global-default', 'X-Kubernetes-PF-PriorityLevel-UID': 'pl-global-default' });
  });

  it('the server concurrency limit (--max-requests-inflight + --max-mutating-requests-inflight) must be positive, as upstream', () => {
    assert.throws(() => new ApfLimiter(0), /they must add up to something positive/);
  });

  it('a level over its limit queues, runs the queued requests in order when seats free, and answers 429 when its queue is full', async () => {
    const small = withLevel('global-default', { type: 'Limited', limited: { nominalConcurrencyShares: 20, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 2 } } } });
    const l = new ApfLimiter(600, fakeClock().now);
    l.setConfig(schemas, small);
    assert.equal(l.series().currentLimits.get('global-default'), 49, 'lends nothing, borrows nothing');
    const running = Array.from({ length: 49 }, () => held());
    for (const r of running) assert.equal(l.admit(r, alice), undefined);
    const order: number[] = [];
    const q1 = l.admit(held(), alice)!.then(() => order.push(1));
    const q2 = l.admit(held(), alice)!.then(() => order.push(2));
    assert.throws(() => l.admit(held(), alice), is429, 'queue of 1 x 2 full');
    assert.equal(l.counts().waiting['global-default'], 2);
    // Others are not held up by global-default's queue, and system:masters is never limited.
    assert.equal(l.admit(held(), digest('system:node:n1', ['system:nodes'], 'get', '', 'pods', '')), undefined);
    for (let i = 0; i < 1000; i++) assert.equal(l.admit(held(), digest('admin', ['system:masters'], 'get', '', 'pods', '')), undefined);
    running[0]!.emit('finish');
    running[1]!.emit('finish');
    await Promise.all([q1, q2]);
    assert.deepEqual(order, [1, 2]);
    assert.equal(l.counts().executing['global-default'], 49);
    assert.equal(l.counts().rejected['global-default'], 1);
  });

  it("a FlowSchema sending one user to a Reject level of 1 seat: that user's second concurrent request is 429, others are served", () => {
    const jail = limitedLevel('jail', { nominalConcurrencyShares: 1, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } });
    const l = new ApfLimiter(600, fakeClock().now);
    // 600 * 1 / 1000 shares: a level of one seat, which borrows none.
    l.setConfig([...schemas, userSchema('jail-mallory', 'jail', ['mallory'])], [...withLevel('workload-low', { ...levels.find((p) => p.metadata.name === 'workload-low')!.spec!, limited: { ...levels.find((p) => p.metadata.name === 'workload-low')!.spec!.limited, nominalConcurrencyShares: 854 } }), jail]);
    assert.deepEqual([l.limitOf('jail'), l.series().currentLimits.get('jail')], [1, 1]);
    const mallory = digest('mallory', [], 'get', '', 'pods', 'default');
    const first = held();
    assert.equal(l.admit(first, mallory), undefined);
    assert.equal(first.headers['X-Kubernetes-PF-FlowSchema-UID'], 'fs-jail-mallory');
    const second = held();
    assert.throws(() => l.admit(second, mallory), is429);
    assert.equal(second.headers['Retry-After'], '1');
    assert.equal(l.admit(held(), alice), undefined);
    first.emit('finish');
    assert.equal(l.admit(held(), mallory), undefined, 'the seat is free again');
  });

  it('a level removed from the configuration drains its running and queued requests, then goes; its FlowSchema is skipped meanwhile', async () => {
    const one = limitedLevel('one', { nominalConcurrencyShares: 1, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 2, queueLengthLimit: 5 } } });
    const fs = [...schemas, userSchema('one', 'one', ['bob'])];
    const l = new ApfLimiter(600, fakeClock().now);
    l.setConfig(fs, [...levels, one]);
    const bob = digest('bob', [], 'get', '', 'pods', 'default');
    const running = [held(), held(), held()];
    for (const r of running) assert.equal(l.admit(r, bob), undefined);
    const last = held();
    const queued = l.admit(last, bob)!;
    l.setConfig(fs, levels);
    const next = held();
    assert.equal(l.admit(next, bob), undefined);
    assert.equal(next.headers['X-Kubernetes-PF-FlowSchema-UID'], 'fs-global-default', "the FlowSchema of a removed level is dangling");
    running[0]!.emit('finish');
    await queued;
    assert.deepEqual([l.counts().executing.one, l.counts().waiting.one], [3, 0], 'the removed level still dispatches its queue');
    for (const r of running.slice(1)) r.emit('finish');
    l.adjustBorrowing();
    assert.equal(l.counts().executing.one, 1, 'not idle: kept');
    last.emit('finish');
    l.adjustBorrowing();
    assert.equal(l.series().nominalLimits.has('one'), false, 'idle: gone');
  });

  it('metrics as upstream: executing requests and seats, requests in queue, rejections per priority level and FlowSchema; nominal and current limits per level', async () => {
    const l = new ApfLimiter(600, fakeClock().now);
    const jailed = withLevel('global-default', { type: 'Limited', limited: { nominalConcurrencyShares: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } })
      .concat(limitedLevel('one', { nominalConcurrencyShares: 1, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 2, queueLengthLimit: 5 } } }));
    l.setConfig([...schemas, userSchema('one', 'one', ['bob'])], jailed);
    // A Reject level of 0 seats runs one request when nothing runs (upstream: a request wider than the limit runs alone), refuses the next.
    const first = held();
    assert.equal(l.admit(first, alice), undefined);
    assert.throws(() => l.admit(held(), alice), is429, 'a level of 0 seats rejects once something runs');
    const admin = held();
    assert.equal(l.admit(admin, digest('admin', ['system:masters'], 'get', '', 'pods', '')), undefined, 'exempt: never queued');
    const bob = digest('bob', [], 'get', '', 'pods', 'default');
    assert.equal(l.series().currentLimits.get('one'), 3);
    for (let i = 0; i < 3; i++) assert.equal(l.admit(held(), bob), undefined);
    for (let i = 0; i < 2; i++) l.admit(held(), bob)!.catch(() => undefined);
    setFlowcontrolMetricsSource(() => l.series());
    const text = await apiserverRegistry.metrics();
    assert.match(text, /^apiserver_flowcontrol_rejected_requests_total\{priority_level="global-default",flow_schema="global-default",reason="concurrency-limit"\} 1$/m);
    assert.match(text, /^apiserver_flowcontrol_current_executing_requests\{priority_level="exempt",flow_schema="exempt"\} 1$/m);
    assert.match(text, /^apiserver_flowcontrol_current_executing_seats\{priority_level="one",flow_schema="one"\} 3$/m);
    assert.match(text, /^apiserver_flowcontrol_current_inqueue_requests\{priority_level="one",flow_schema="one"\} 2$/m);
    assert.match(text, /^apiserver_flowcontrol_nominal_limit_seats\{priority_level="one"\} 3$/m);
    assert.match(text, /^apiserver_flowcontrol_current_limit_seats\{priority_level="one"\} 3$/m);
    assert.match(text, /^apiserver_flowcontrol_nominal_limit_seats\{priority_level="workload-low"\} 266$/m);
    assert.match(text, /^apiserver_flowcontrol_current_limit_seats\{priority_level="workload-low"\} \d+$/m);
    admin.emit('finish');
    first.emit('finish');
    assert.match(await apiserverRegistry.metrics(), /^apiserver_flowcontrol_current_executing_requests\{priority_level="exempt",flow_schema="exempt"\} 0$/m);
  });
});
