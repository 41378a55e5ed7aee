/**
 * API Priority and Fairness' kinds through the real kubectl: the bootstrap FlowSchemas and priority
 * levels upstream's kube-apiserver creates (bootstrap/default.go), printed with upstream's columns
 * (printFlowSchema, printPriorityLevelConfiguration); v1 defaults; validation; the mandatory objects'
 * fixed spec.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../src/testing/eventually.js';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const P = `apf${process.pid}`;

describe('flowcontrol.apiserver.k8s.io/v1 through kubectl', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => {
    await s?.kubectl(['delete', 'flowschema', `${P}-fs`, '--ignore-not-found']);
    await s?.kubectl(['delete', 'prioritylevelconfiguration', `${P}-pl`, '--ignore-not-found']);
    await s?.stop();
  });

  test('the bootstrap FlowSchemas and priority levels, with upstream columns', async () => {
    const fs = await kubectlOk(s, ['get', 'flowschemas']);
    assert.match(fs, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/m, fs);
    assert.match(fs, /^exempt\s+exempt\s+1\s+\*\s+\S+\s+False$/m, fs);
    assert.match(fs, /^probes\s+exempt\s+2\s+\*\s+\S+\s+False$/m, fs);
    assert.match(fs, /^system-node-high\s+node-high\s+400\s+ByUser\s+\S+\s+False$/m, fs);
    assert.match(fs, /^kube-scheduler\s+workload-high\s+800\s+ByNamespace\s+\S+\s+False$/m, fs);
    assert.match(fs, /^global-default\s+global-default\s+9900\s+ByUser\s+\S+\s+False$/m, fs);
    assert.match(fs, /^catch-all\s+catch-all\s+10000\s+ByUser\s+\S+\s+False$/m, fs);
    const names = (await kubectlOk(s, ['get', 'flowschemas', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').sort();
    assert.deepEqual(names, ['catch-all', 'endpoint-controller', 'exempt', 'global-default', 'kube-controller-manager', 'kube-scheduler', 'kube-system-service-accounts', 'probes', 'service-accounts', 'system-leader-election', 'system-node-high', 'system-nodes', 'workload-leader-election']);
    const pl = await kubectlOk(s, ['get', 'prioritylevelconfigurations']);
    assert.match(pl, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/m, pl);
    assert.match(pl, /^catch-all\s+Limited\s+5\s+<none>\s+<none>\s+<none>\s+\S+$/m, pl);
    assert.match(pl, /^exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>\s+\S+$/m, pl);
    assert.match(pl, /^workload-low\s+Limited\s+100\s+128\s+6\s+50\s+\S+$/m, pl);
    assert.match(pl, /^leader-election\s+Limited\s+10\s+16\s+4\s+50\s+\S+$/m, pl);
    assert.equal(await kubectlOk(s, ['get', 'flowschema', 'global-default', '-o', 'jsonpath={.metadata.annotations.apf\\.kubernetes\\.io/autoupdate-spec}']), 'true');
    assert.match((await kubectlOk(s, ['explain', 'flowschema.spec.matchingPrecedence'])).replace(/\s+/g, ' '), /Each MatchingPrecedence value must be ranged in \[1,10000\]/);
    assert.match((await kubectlOk(s, ['explain', 'prioritylevelconfiguration.spec.limited.limitResponse.queuing.handSize'])).replace(/\s+/g, ' '), /configures the shuffle sharding of requests into queues/);
  });

  test('responses carry the FlowSchema and priority level UIDs (X-Kubernetes-PF-*): the admin is exempt', async () => {
    const uid = (kind: string) => kubectlOk(s, ['get', kind, 'exempt', '-o', 'jsonpath={.metadata.uid}']);
    const r = await s.kubectl(['get', 'namespace', 'default', '-v=8']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`X-Kubernetes-Pf-Flowschema-Uid: ${await uid('flowschema')}`, 'i'), r.stderr);
    assert.match(r.stderr, new RegExp(`X-Kubernetes-Pf-Prioritylevel-Uid: ${await uid('prioritylevelconfiguration')}`, 'i'), r.stderr);
  });

  test('kubectl get --raw reads the /debug/api_priority_and_fairness dumps in upstream text', async () => {
    const levels = await kubectlOk(s, ['get', '--raw', '/debug/api_priority_and_fairness/dump_priority_levels']);
    assert.match(levels, /^PriorityLevelName, +ActiveQueues, +IsIdle, +IsQuiescing, +WaitingRequests, +ExecutingRequests, +DispatchedRequests, +RejectedRequests, +TimedoutRequests, +CancelledRequests\n/, levels);
    // This very request executes in the exempt level; the levels are listed by name.
    assert.match(levels, /^exempt, +0, +false, +false, +0, +1, +\d+, +0, +0, +0$/m, levels);
    assert.deepEqual(levels.trim().split('\n').slice(1).map((l) => l.split(',')[0]), ['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
    const queues = await kubectlOk(s, ['get', '--raw', '/debug/api_priority_and_fairness/dump_queues']);
    assert.equal(queues.split('\n').filter((l) => l.startsWith('workload-low,')).length, 128, 'one row per queue of workload-low');
    const requests = await kubectlOk(s, ['get', '--raw', '/debug/api_priority_and_fairness/dump_requests?includeRequestDetails=1']);
    assert.match(requests, /^PriorityLevelName, +FlowSchemaName, .*AdditionalLatency, +UserName, +Verb, +APIPath, +Namespace, +Name, +APIVersion, +Resource, +SubResource\n$/, requests);
  });

  test('a FlowSchema naming a missing priority level is marked Dangling (MISSINGPL True)', async () => {
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: `${P}-dangling` }, spec: { priorityLevelConfiguration: { name: `${P}-nowhere` }, matchingPrecedence: 5000, rules: [{ subjects: [{ kind: 'User', user: { name: 'nobody' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/nothing'] }] }] } }) });
    await eventually(async () => /\sTrue$/m.test(await kubectlOk(s, ['get', 'flowschema', `${P}-dangling`])), 'the Dangling condition');
    assert.equal(await kubectlOk(s, ['get', 'flowschema', `${P}-dangling`, '-o', 'jsonpath={.status.conditions[?(@.type=="Dangling")].reason}']), 'NotFound');
    await kubectlOk(s, ['delete', 'flowschema', `${P}-dangling`]);
  });

  test('v1 defaults, validation with upstream messages, and the mandatory objects fixed', async () => {
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: `${P}-pl` }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } }) });
    const limited = JSON.parse(await kubectlOk(s, ['get', 'prioritylevelconfiguration', `${P}-pl`, '-o', 'jsonpath={.spec.limited}']));
    assert.deepEqual(limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
    await kubectlOk(s, ['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: `${P}-fs` }, spec: { priorityLevelConfiguration: { name: `${P}-pl` }, rules: [{ subjects: [{ kind: 'User', user: { name: 'x' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/version'] }] }] } }) });
    assert.equal(await kubectlOk(s, ['get', 'flowschema', `${P}-fs`, '-o', 'jsonpath={.spec.matchingPrecedence}']), '1000');

    const bad = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: `${P}-bad` }, spec: { priorityLevelConfiguration: { name: 'x' }, matchingPrecedence: 1, rules: [{ subjects: [{ kind: 'Robot' }], resourceRules: [{ verbs: ['get', '*'], apiGroups: [''], resources: ['pods'] }] }] } }) });
    assert.match(bad.stderr, /spec\.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1/, bad.stderr);
    assert.match(bad.stderr, /spec\.rules\[0\]\.subjects\[0\]\.kind: Unsupported value: "Robot"/, bad.stderr);
    assert.match(bad.stderr, /spec\.rules\[0\]\.resourceRules\[0\]\.verbs: Invalid value: .*if '\*' is present, must not specify other verbs/, bad.stderr);
    assert.match(bad.stderr, /spec\.rules\[0\]\.resourceRules\[0\]\.namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace/, bad.stderr);
    const fixed = await s.kubectl(['patch', 'prioritylevelconfiguration', 'catch-all', '--type=merge', '-p', '{"spec":{"limited":{"nominalConcurrencyShares":50}}}']);
    assert.match(fixed.stderr, /spec: Invalid value: .*spec of 'catch-all' must equal the fixed value/, fixed.stderr);
    const exemptType = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: `${P}-ex` }, spec: { type: 'Exempt' } }) });
    assert.match(exemptType.stderr, /spec\.type: Invalid value: "Exempt": type must be 'Exempt' if and only if name is 'exempt'/, exemptType.stderr);
  });
});
