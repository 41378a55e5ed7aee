/**
 * RBAC through the real API (an in-process API server, users' client certificates minted from the
 * cluster CA): the bootstrap policy is there at start; a user with no binding is refused with
 * upstream's exact 403 (plugin/pkg/auth/authorizer/rbac, responsewriters.Forbidden), gains exactly
 * what a RoleBinding grants (resource names, subresources, the namespace), reads discovery paths
 * but not /metrics; escalation is refused with upstream's message unless `escalate`/`bind` is held
 * (pkg/registry/rbac/validation/rule.go ConfirmNoEscalation); roleRef is immutable.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleBinding } from '../../../api/kinds/rbac/role-binding.js';
import type { KubeObject } from '../../../api/meta.js';
import { KubeClient } from '../../../client/kube-client.js';
import { resources } from '../../../client/resource-ref.js';
import { startTestServer, type TestServer } from '../../../testing/test-cluster.js';
import { refused, userClient } from '../../../testing/user-client.js';
import type { ApiServer } from '../../server.js';

let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
let alice: KubeClient;
const P = `rbacapi-${process.pid}-${Date.now().toString(36)}`;
const NS = `${P}-ns`;
const OTHER = `${P}-other`;
const RBAC = 'rbac.authorization.k8s.io';



const role = (name: string, rules: object[], ns = NS) => ({ apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace: ns }, rules }) as KubeObject;
const roleBinding = (name: string, roleRef: { kind: string; name: string }, subjects: object[], ns = NS) =>
  ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: RBAC, ...roleRef }, subjects }) as RoleBinding;
const aliceSubject = { kind: 'User', apiGroup: RBAC, name: `${P}-alice` };

before(async () => {
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  alice = userClient(ts, `${P}-alice`, [`${P}-devs`]);
  for (const n of [NS, OTHER]) await admin.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } } as KubeObject);
  await admin.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KubeObject);
});
after(async () => {
  for (const c of [admin, alice]) c?.close();
  await ts?.stop();
});

test('the bootstrap policy is reconciled at start, labelled and annotated as upstream', async () => {
  const roles = admin.resource(resources.clusterroles);
  const basic = await roles.get('system:basic-user');
  assert.equal(basic.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
  assert.equal(basic.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.deepEqual(basic.rules, [
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ]);
  for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:public-info-viewer', 'system:node', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:node-proxier', 'system:kube-dns', 'system:controller:replicaset-controller']) {
    assert.equal((await roles.get(name)).metadata.name, name);
  }
  assert.deepEqual((await roles.get('edit')).aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }] });
  const crb = await admin.resource(resources.clusterrolebindings).get('system:basic-user');
  assert.deepEqual(crb.subjects, [{ kind: 'Group', apiGroup: RBAC, name: 'system:authenticated' }]);
  const ctrl = await admin.resource(resources.clusterrolebindings).get('system:controller:job-controller');
  assert.deepEqual(ctrl.subjects, [{ kind: 'ServiceAccount', name: 'job-controller', namespace: 'kube-system' }]);
});

test('a user with no binding gets upstream\'s 403 for namespaced, cluster-scoped and non-resource requests', async () => {
  const ns = await refused(alice.pods(NS).list());
  assert.equal(ns.code, 403);
  assert.equal(ns.status.reason, 'Forbidden');
  assert.equal(ns.message, `pods is forbidden: User "${P}-alice" cannot list resource "pods" in API group "" in the namespace "${NS}"`);
  const cluster = await refused(alice.nodes().list());
  assert.equal(cluster.message, `nodes is forbidden: User "${P}-alice" cannot list resource "nodes" in API group "" at the cluster scope`);
  const named = await refused(alice.resource(resources.deployments, NS).get('d'));
  assert.equal(named.message, `deployments.apps "d" is forbidden: User "${P}-alice" cannot get resource "deployments" in API group "apps" in the namespace "${NS}"`);
  const path = await refused(alice.raw('GET', '/metrics'));
  assert.equal(path.code, 403);
  assert.equal(path.message, `forbidden: User "${P}-alice" cannot get path "/metrics"`);
  // system:discovery and system:public-info-viewer, bound to system:authenticated.
  assert.ok(await alice.raw('GET', '/version'));
  assert.ok(await alice.raw('GET', '/apis'));
});

test('a RoleBinding grants its rules in its namespace only, names and subresources as written', async () => {
  await admin.resource(resources.roles, NS).create(role('reader', [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/log'], resourceNames: ['web'], verbs: ['get'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['only-this'], verbs: ['get'] },
  ]));
  await admin.resource(resources.rolebindings, NS).create(roleBinding('reader', { kind: 'Role', name: 'reader' }, [{ kind: 'Group', apiGroup: RBAC, name: `${P}-devs` }]));
  assert.deepEqual((await alice.pods(NS).list()).items.map((p) => p.metadata.name), ['web']);
  assert.equal((await alice.pods(NS).get('web')).metadata.name, 'web');
  assert.equal((await refused(alice.pods(OTHER).list())).code, 403);
  assert.match((await refused(alice.pods(NS).delete('web'))).message, /cannot delete resource "pods" in API group "" in the namespace/);
  // resourceNames: only the named object, never a list.
  assert.equal((await refused(alice.configMaps(NS).get('other'))).code, 403);
  assert.match((await refused(alice.configMaps(NS).list())).message, /cannot list resource "configmaps"/);
  // pods/log allowed by name (the pod has no node, so the log request itself then fails differently).
  const logs = await refused(alice.raw('GET', `/api/v1/namespaces/${NS}/pods/web/log`));
  assert.notEqual(logs.code, 403, logs.message);
  const statusRead = await refused(alice.raw('GET', `/api/v1/namespaces/${NS}/pods/web/status`));
  assert.equal(statusRead.message, `pods "web" is forbidden: User "${P}-alice" cannot get resource "pods/status" in API group "" in the namespace "${NS}"`);
});

test('escalation is refused with upstream\'s message unless the user holds escalate or bind', async () => {
  // alice may manage roles and bindings in NS and read pods there (from the previous test). Not
  // with verb '*': that includes escalate and bind.
  await admin.resource(resources.roles, NS).create(role('rbac-manager', [{ apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }]));
  await admin.resource(resources.rolebindings, NS).create(roleBinding('rbac-manager', { kind: 'Role', name: 'rbac-manager' }, [aliceSubject]));
  const roles = alice.resource(resources.roles, NS);
  const bindings = alice.resource(resources.rolebindings, NS);
  // What she holds she may grant.
  await roles.create(role('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]));
  const e = await refused(roles.create(role('pod-killer', [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['delete', 'get'] }])));
  assert.equal(e.code, 403);
  assert.equal(e.message, `roles.${RBAC} "pod-killer" is forbidden: user "${P}-alice" (groups=["${P}-devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n`
    + '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["delete" "get"]}');
  const b = await refused(bindings.create(roleBinding('to-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [aliceSubject])));
  assert.match(b.message, new RegExp(`^rolebindings\\.${RBAC.replace(/\./g, '\\.')} "to-admin" is forbidden: user "${P}-alice" .* is attempting to grant RBAC permissions not currently held:\n\\{APIGroups:\\["\\*"\\], Resources:\\["\\*"\\], Verbs:\\["\\*"\\]\\}`));
  // A binding to a role she fully holds is fine.
  await bindings.create(roleBinding('pod-reader', { kind: 'Role', name: 'pod-reader' }, [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]));
  // Updating the rules to more than she holds is refused; updating only labels is not.
  const pr = await roles.get('pod-reader');
  assert.equal((await refused(roles.update({ ...pr, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } as KubeObject))).code, 403);
  await roles.update({ ...pr, metadata: { ...pr.metadata, labels: { a: 'b' } } } as KubeObject);

  // escalate on roles and bind on the cluster-admin ClusterRole lift the checks.
  await admin.resource(resources.roles, NS).create(role('escalator', [
    { apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] },
    { apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] },
  ]));
  await admin.resource(resources.rolebindings, NS).create(roleBinding('escalator', { kind: 'Role', name: 'escalator' }, [aliceSubject]));
  await roles.create(role('pod-killer', [{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }]));
  await bindings.create(roleBinding('to-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'User', apiGroup: RBAC, name: 'bob' }]));
  // bind on cluster-admin only: another ClusterRole is still checked.
  assert.equal((await refused(bindings.create(roleBinding('to-node', { kind: 'ClusterRole', name: 'system:node' }, [aliceSubject])))).code, 403);
});

test('roleRef is immutable and bindings are validated as upstream', async () => {
  const rbs = admin.resource(resources.rolebindings, NS);
  const rb = await rbs.get('reader');
  const e = await refused(rbs.update({ ...rb, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' } }));
  assert.equal(e.code, 422);
  assert.match(e.message, /roleRef: Invalid value: .*: cannot change roleRef/);
  const bad = await refused(rbs.create(roleBinding('bad', { kind: 'Deployment', name: 'x' }, [{ kind: 'Robot', name: 'r' }])));
  assert.equal(bad.code, 422);
  assert.match(bad.message, /roleRef\.kind: Unsupported value: "Deployment": supported values: "Role", "ClusterRole"/);
  assert.match(bad.message, /subjects\[0\]\.kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"/);
  const nsRule = await refused(admin.resource(resources.roles, NS).create(role('urls', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }])));
  assert.match(nsRule.message, /rules\[0\]\.nonResourceURLs: Invalid value: .*namespaced rules cannot apply to non-resource URLs/);
});

test('SubjectAccessReview and LocalSubjectAccessReview answer for another user as the router decides', async () => {
  const sar = (spec: object) => admin.raw<{ status: { allowed: boolean; reason?: string } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
  const yes = await sar({ user: `${P}-alice`, groups: [`${P}-devs`], resourceAttributes: { verb: 'list', resource: 'pods', namespace: NS } });
  assert.equal(yes.status.allowed, true);
  assert.equal(yes.status.reason, `RBAC: allowed by RoleBinding "reader/${NS}" of Role "reader" to Group "${P}-devs"`);
  // Without the group the binding does not apply.
  assert.equal((await sar({ user: `${P}-alice`, resourceAttributes: { verb: 'list', resource: 'pods', namespace: NS } })).status.allowed, false);
  assert.equal((await sar({ user: 'x', groups: ['system:authenticated'], nonResourceAttributes: { verb: 'get', path: '/version' } })).status.allowed, true);
  assert.equal((await sar({ user: 'x', groups: ['system:authenticated'], nonResourceAttributes: { verb: 'get', path: '/metrics' } })).status.allowed, false);
  const noSubject = await refused(sar({ resourceAttributes: { verb: 'get', resource: 'pods' } }));
  assert.equal(noSubject.code, 422);
  assert.match(noSubject.message, /spec\.user: Invalid value: "": at least one of user or group must be specified/);

  const lsar = (ns: string, spec: object) => admin.raw<{ status: { allowed: boolean } }>('POST', `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: ns }, spec });
  assert.equal((await lsar(NS, { groups: [`${P}-devs`], resourceAttributes: { verb: 'get', resource: 'pods', name: 'web', namespace: NS } })).status.allowed, true);
  const other = await refused(lsar(NS, { groups: [`${P}-devs`], resourceAttributes: { verb: 'get', resource: 'pods', namespace: OTHER } }));
  assert.equal(other.code, 400);
  assert.equal(other.message, `spec.resourceAttributes.namespace must match namespace: ${NS}`);
  // alice may not ask about others: creating reviews needs RBAC too (system:auth-delegator).
  assert.equal((await refused(alice.raw('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods' } } }))).code, 403);
});
