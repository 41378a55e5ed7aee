/**
 * API Priority and Fairness: classification against upstream's v1.32 bootstrap configuration
 * (bootstrap/default.go), and the limiter's seats, queue and 429s (as upstream's APF filter, with
 * one FIFO per level: apf-limiter.ts).
 */
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { MANDATORY_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS, SUGGESTED_FLOW_SCHEMAS, SUGGESTED_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/bootstrap-configuration.js';
import type { FlowSchema } from '../../api/kinds/flowcontrol/flow-schema.js';
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import { apiserverRegistry } from '../prometheus/apiserver-metrics.js';
import { setFlowcontrolMetricsSource } from '../prometheus/flowcontrol-metrics.js';
import { ApfLimiter } from './apf-limiter.js';
import { classify, inMatchingOrder, type RequestDigest } from './classify.js';

const withUid = <T extends { metadata: { name?: string; uid?: string } }>(o: T, kind: string): T => ({ ...structuredClone(o), metadata: { ...o.metadata, uid: `${kind}-${o.metadata.name}` } });
const schemas = [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS].map((f) => withUid(f, 'fs'));
const levels = [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS].map((p) => withUid(p, 'pl'));

const digest = (user: string, groups: string[], verb: string, apiGroup: string, resource: string, namespace: string): RequestDigest =>
  ({ user, groups: [...groups, ...(user === 'system:anonymous' ? [] : ['system:authenticated'])], verb, isResource: true, apiGroup, resource, namespace, path: '' });

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

/** A response whose seat is held until it emits 'finish'. */
function held(): ServerResponse & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  return Object.assign(new EventEmitter(), { headers, headersSent: false, setHeader: (k: string, v: string) => { headers[k] = v; } }) as unknown as ServerResponse & { headers: Record<string, string> };
}
const is429 = (e: { code?: number }) => e.code === 429;

describe('APF limiter', () => {
  const alice = digest('alice', [], 'get', '', 'pods', 'default');

  it('limits are ceil(600 * shares / sum of Limited shares); the response names the FlowSchema and level', () => {
    const l = new ApfLimiter(600);
    l.setConfig(schemas, levels);
    assert.deepEqual(['catch-all', 'system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'exempt'].map((n) => l.limitOf(n)), [13, 74, 98, 25, 98, 245, 49, 0]);
    const res = held();
    assert.equal(l.admit(res, alice), undefined);
    assert.deepEqual(res.headers, { 'X-Kubernetes-PF-FlowSchema-UID': 'fs-global-default', 'X-Kubernetes-PF-PriorityLevel-UID': 'pl-global-default' });
  });

  it('a level over its limit queues (FIFO), runs the queued request when a seat frees, and answers 429 when its queue is full', async () => {
    const small = levels.map((p) => p.metadata.name === 'global-default' ? { ...p, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 20, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 2 } } } } } : p) as PriorityLevelConfiguration[];
    const l = new ApfLimiter(600);
    l.setConfig(schemas, small);
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
    const jail: PriorityLevelConfiguration = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'jail', uid: 'pl-jail' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } } } };
    const fs: FlowSchema = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'jail-mallory', uid: 'fs-jail' }, spec: { priorityLevelConfiguration: { name: 'jail' }, matchingPrecedence: 50, rules: [{ subjects: [{ kind: 'User', user: { name: 'mallory' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] } };
    const l = new ApfLimiter(600);
    // 600 * 1 / 1000 shares: a level of one seat.
    const withJail = [...levels.map((p) => p.metadata.name === 'workload-low' ? { ...p, spec: { ...p.spec, limited: { ...p.spec!.limited, nominalConcurrencyShares: 854 } } } as PriorityLevelConfiguration : p), jail];
    l.setConfig([...schemas, fs], withJail);
    assert.equal(l.limitOf('jail'), 1);
    const mallory = digest('mallory', [], 'get', '', 'pods', 'default');
    const first = held();
    assert.equal(l.admit(first, mallory), undefined);
    assert.equal(first.headers['X-Kubernetes-PF-FlowSchema-UID'], 'fs-jail');
    const second = held();
    assert.throws(() => l.admit(second, mallory), is429);
    assert.equal(second.headers['Retry-After'], '1');
    assert.equal(l.admit(held(), alice), undefined);
    first.emit('finish');
    assert.equal(l.admit(held(), mallory), undefined, 'the seat is free again');
  });

  it('metrics as upstream: executing and rejected requests per priority level and FlowSchema', async () => {
    const l = new ApfLimiter(600);
    const reject1 = levels.map((p) => p.metadata.name === 'global-default' ? { ...p, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Reject' } } } } : p) as PriorityLevelConfiguration[];
    l.setConfig(schemas, reject1);
    assert.throws(() => l.admit(held(), alice), is429, 'a level of 0 seats rejects');
    const admin = held();
    assert.equal(l.admit(admin, digest('admin', ['system:masters'], 'get', '', 'pods', '')), undefined, 'exempt: never queued');
    setFlowcontrolMetricsSource(() => l.series());
    const text = await apiserverRegistry.metrics();
    assert.match(text, /^apiserver_flowcontrol_rejected_requests_total\{priority_level="global-default",flow_schema="global-default",reason="concurrency-limit"\} 1$/m);
    assert.match(text, /^apiserver_flowcontrol_current_executing_requests\{priority_level="exempt",flow_schema="exempt"\} 1$/m);
    assert.match(text, /^apiserver_flowcontrol_nominal_limit_seats\{priority_level="workload-low"\} \d+$/m);
    admin.emit('finish');
    assert.match(await apiserverRegistry.metrics(), /^apiserver_flowcontrol_current_executing_requests\{priority_level="exempt",flow_schema="exempt"\} 0$/m);
  });
});
