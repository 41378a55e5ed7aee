/**
 * `kubectl auth can-i` (SelfSubjectAccessReview) and `auth can-i --list` (SelfSubjectRulesReview),
 * both protobuf bodies, with the real kubectl 1.32 against an in-process API server: the admin may
 * do anything; a node that joined with the join token (as `bosun agent` does) gets the node
 * authorizer's answers, and what can-i says matches what the server then does.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { joinCluster } from '../../src/agent/join/join-cluster.js';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { runKubectl, startTestServer, type KubectlResult, type TestServer } from '../../src/testing/test-cluster.js';

const NS = 'e2e-can-i';

describe('kubectl auth can-i', () => {
  let s: TestServer & { server: { joinToken?: string } };
  let dir: string;
  let asNode: (args: string[]) => Promise<KubectlResult>;
  const admin = (args: string[]): Promise<string> => kubectlOk(s, args);

  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'bosun-can-i-'));
    const joined = await joinCluster({ server: s.url, token: s.server.joinToken!, nodeName: 'can-i-n1', dataDir: dir });
    asNode = (args) => runKubectl(joined.kubeconfigPath, join(dir, 'cache'), args);
    await admin(['create', 'ns', NS]);
    for (const [name, node] of [['on-n1', 'can-i-n1'], ['on-n2', 'can-i-n2']]) {
      const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } });
      const r = await s.kubectl(['create', '-f', '-'], { input: manifest });
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** can-i prints yes/no and exits 0/1. */
  const canI = async (run: (args: string[]) => Promise<KubectlResult>, args: string[]): Promise<boolean> => {
    const r = await run(['auth', 'can-i', ...args]);
    const answer = r.stdout.trim().split(/\s/)[0];
    assert.ok(answer === 'yes' || answer === 'no', `can-i ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
    assert.equal(r.code, answer === 'yes' ? 0 : 1, r.stderr);
    return answer === 'yes';
  };
  const adminRun = (args: string[]) => s.kubectl(args);

  test('discovery lists the review resources with create only', async () => {
    const out = await admin(['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide']);
    assert.match(out, /^selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview\s+create\s*$/m);
    assert.match(out, /^selfsubjectrulesreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectRulesReview\s+create\s*$/m);
    assert.match(await admin(['explain', 'selfsubjectaccessreview.spec.resourceAttributes']), /FIELD: resourceAttributes <ResourceAttributes>/);
  });

  test('the admin may do anything', async () => {
    assert.equal(await canI(adminRun, ['create', 'pods']), true);
    assert.equal(await canI(adminRun, ['delete', 'nodes']), true);
    assert.equal(await canI(adminRun, ['*', '*']), true);
    assert.equal(await canI(adminRun, ['get', '/healthz']), true);
    const list = await admin(['auth', 'can-i', '--list']);
    assert.match(list, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  test('a node gets the node authorizer\'s answers', async () => {
    assert.equal(await canI(asNode, ['delete', 'nodes']), false);
    // Pods as upstream's node authorizer (AuthorizeNodeWithSelectors): its own by name; lists only
    // with fieldSelector spec.nodeName, which can-i cannot express.
    assert.equal(await canI(asNode, ['get', 'pods/on-n1', '-n', NS]), true);
    assert.equal(await canI(asNode, ['get', 'pods/on-n2', '-n', NS]), false);
    assert.equal(await canI(asNode, ['list', 'pods', '--all-namespaces']), false);
    assert.equal(await canI(asNode, ['create', 'pods', '-n', NS]), false);
    assert.equal(await canI(asNode, ['create', 'deployments.apps']), false);
    assert.equal(await canI(asNode, ['patch', 'nodes/can-i-n1']), true);
    assert.equal(await canI(asNode, ['patch', 'nodes/can-i-n2']), false);
    assert.equal(await canI(asNode, ['update', 'leases/can-i-n1', '-n', 'kube-node-lease']), true);
    assert.equal(await canI(asNode, ['update', 'leases/can-i-n2', '-n', 'kube-node-lease']), false);
    // Decided from the stored pod: only pods bound to the node.
    assert.equal(await canI(asNode, ['delete', `pods/on-n1`, '-n', NS]), true);
    assert.equal(await canI(asNode, ['delete', `pods/on-n2`, '-n', NS]), false);
    assert.equal(await canI(asNode, ['update', `pods/on-n2`, '--subresource=status', '-n', NS]), false);
  });

  test('what can-i says is what the server does', async () => {
    const denied = await asNode(['-n', NS, 'delete', 'pod', 'on-n2', '--wait=false']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /pods "on-n2" is forbidden: User "system:node:can-i-n1" cannot delete resource "pods"/);
    const all = await asNode(['-n', NS, 'get', 'pods', '-o', 'name']);
    assert.equal(all.code, 1);
    assert.match(all.stderr, /cannot list resource "pods" in API group "" in the namespace "[^"]+": can only list\/watch pods with spec.nodeName field selector/);
    const listed = await asNode(['-n', NS, 'get', 'pods', '--field-selector', 'spec.nodeName=can-i-n1', '-o', 'name']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim(), 'pod/on-n1');
    const deleted = await asNode(['-n', NS, 'delete', 'pod', 'on-n1', '--wait=false']);
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  test('a node\'s --list shows its rules and says it is incomplete', async () => {
    const r = await asNode(['auth', 'can-i', '--list', '-n', 'kube-node-lease']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^services\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.doesNotMatch(r.stdout, /^(pods|secrets|configmaps)\s/m);
    assert.match(r.stdout, /^leases\.coordination\.k8s\.io\s+\[\]\s+\[can-i-n1\]\s+\[get update patch delete\]$/m);
    assert.match(r.stdout, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.doesNotMatch(r.stdout, /^\*\.\*/m);
    assert.match(r.stderr, /the list may be incomplete: node authorizer/);
  });

  test('a review with neither attribute set is 422, as upstream', async () => {
    const r = await s.kubectl(['create', '-f', '-', '-o', 'json'], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} }),
    });
    assert.equal(r.code, 1);
    // kubectl rewords the Status from its details: `The SelfSubjectAccessReview "" is invalid: ...`.
    assert.match(r.stderr, /SelfSubjectAccessReview "" is invalid: spec\.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified/);
    const got = await admin(['get', '--raw', '/apis/authorization.k8s.io/v1']);
    assert.match(got, /"name":"selfsubjectaccessreviews"/);
  });
});
