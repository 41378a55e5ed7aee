/**
 * RBAC with the real kubectl 1.32 against `bosun server` (control plane with its controllers, so
 * the clusterrole-aggregation controller fills admin/edit/view): two users with client
 * certificates minted from the cluster's CA and a ServiceAccount with a token from
 * `kubectl create token` get exactly what their bindings grant, with upstream's 403 messages
 * (plugin/pkg/auth/authorizer/rbac); escalation is refused (pkg/registry/rbac/validation/rule.go);
 * a ClusterRole labelled aggregate-to-view widens `view`; `auth can-i --list` lists the bound
 * rules; `--as`/`--as-group` need the impersonate verb (apiserver/pkg/endpoints/filters/impersonation.go).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { issueClientCertificate, type Pki } from '../../src/apiserver/pki/pki.js';
import { writeKubeconfig } from '../../src/apiserver/pki/kubeconfig.js';
import { eventually } from '../../src/testing/eventually.js';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { runKubectl, spawnServer, type KubectlResult, type SpawnedServer } from '../../src/testing/test-cluster.js';

const P = `rbac${process.pid % 10000}`;
const NS1 = `${P}-one`;
const NS2 = `${P}-two`;
const ALICE = `${P}-alice`;
const BOB = `${P}-bob`;
const TEAM = `${P}-team`;

type Run = (args: string[]) => Promise<KubectlResult>;

describe('RBAC with kubectl as two users and a service account', () => {
  let s: SpawnedServer;
  let dir: string;
  let alice: Run;
  let bob: Run;
  const admin = (args: string[]): Promise<string> => kubectlOk(s, args);

  /** A kubectl runner as `user` in `groups`, with its own kubeconfig and cache. */
  function asUser(user: string, groups: string[]): Run {
    const pkiDir = join(s.dataDir, 'pki');
    const ca = { cert: readFileSync(join(pkiDir, 'ca.crt'), 'utf8'), key: readFileSync(join(pkiDir, 'ca.key'), 'utf8') };
    const kubeconfig = join(dir, `${user}.yaml`);
    writeKubeconfig(kubeconfig, { server: s.url, caCert: ca.cert, client: issueClientCertificate({ ca } as Pki, user, groups), user });
    return (args) => runKubectl(kubeconfig, join(dir, `cache-${user}`), args);
  }

  /** kubectl's stderr of a refused command. */
  const refused = async (run: Run, args: string[]): Promise<string> => {
    const r = await run(args);
    assert.notEqual(r.code, 0, `${args.join(' ')} was allowed: ${r.stdout}`);
    return r.stderr.trim();
  };
  const ok = async (run: Run, args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    s = await spawnServer({ useDist: true });
    dir = mkdtempSync(join(tmpdir(), 'bosun-rbac-'));
    alice = asUser(ALICE, [TEAM]);
    bob = asUser(BOB, []);
    for (const ns of [NS1, NS2]) await admin(['create', 'namespace', ns]);
    await admin(['create', 'configmap', 'settings', '-n', NS1, '--from-literal=a=b']);
    // alice: admin of NS1 through her group; bob: view of NS1.
    await admin(['create', 'rolebinding', 'team-admin', '--clusterrole=admin', `--group=${TEAM}`, '-n', NS1]);
    await admin(['create', 'rolebinding', 'bob-view', '--clusterrole=view', `--user=${BOB}`, '-n', NS1]);
    // The aggregation controller fills admin, edit and view from the system:aggregate-to-* roles.
    await eventually(async () => (await bob(['auth', 'can-i', 'list', 'pods', '-n', NS1])).code === 0, 'view aggregated', 60_000);
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each user may do what a binding grants in its namespace and gets upstream\'s 403 for the rest', async () => {
    assert.match(await ok(alice, ['create', 'deployment', 'web', '--image=bosun.test/busybox:1', '-n', NS1]), /deployment\.apps\/web created/);
    assert.match(await ok(alice, ['get', 'configmap', 'settings', '-n', NS1, '-o', 'name']), /configmap\/settings/);
    assert.equal(await refused(alice, ['get', 'pods', '-n', NS2]),
      `Error from server (Forbidden): pods is forbidden: User "${ALICE}" cannot list resource "pods" in API group "" in the namespace "${NS2}"`);
    assert.equal(await refused(alice, ['get', 'nodes']),
      `Error from server (Forbidden): nodes is forbidden: User "${ALICE}" cannot list resource "nodes" in API group "" at the cluster scope`);

    assert.match(await ok(bob, ['get', 'configmap', 'settings', '-n', NS1, '-o', 'name']), /configmap\/settings/);
    assert.equal(await refused(bob, ['delete', 'configmap', 'settings', '-n', NS1]),
      `Error from server (Forbidden): configmaps "settings" is forbidden: User "${BOB}" cannot delete resource "configmaps" in API group "" in the namespace "${NS1}"`);
    assert.match(await refused(bob, ['get', 'secrets', '-n', NS1]), /User ".*-bob" cannot list resource "secrets" in API group ""/);
    assert.match(await refused(bob, ['create', 'deployment', 'x', '--image=bosun.test/busybox:1', '-n', NS1]), /cannot create resource "deployments" in API group "apps"/);
  });

  test('escalation is refused: a namespace admin cannot grant what it does not hold', async () => {
    const role = await refused(alice, ['create', 'role', 'node-reader', '--verb=get', '--resource=nodes', '-n', NS1]);
    assert.equal(role, `Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "${ALICE}" (groups=["${TEAM}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}`);
    const binding = await refused(alice, ['create', 'rolebinding', 'me-admin', '--clusterrole=cluster-admin', `--user=${ALICE}`, '-n', NS1]);
    assert.match(binding, /rolebindings\.rbac\.authorization\.k8s\.io "me-admin" is forbidden: user ".*" \(groups=.*\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    // What she holds she may hand on.
    assert.match(await ok(alice, ['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', `--user=${BOB}`, '-n', NS1]), /rolebinding.* created/);
    await ok(alice, ['delete', 'rolebinding', 'bob-edit', '-n', NS1]);
  });

  test('a ClusterRole labelled aggregate-to-view widens view', async () => {
    assert.match(await refused(bob, ['get', 'leases', '-n', NS1]), /cannot list resource "leases" in API group "coordination.k8s.io"/);
    await admin(['create', 'clusterrole', `${P}-lease-viewer`, '--verb=get,list,watch', '--resource=leases.coordination.k8s.io']);
    await admin(['label', 'clusterrole', `${P}-lease-viewer`, 'rbac.authorization.k8s.io/aggregate-to-view=true']);
    await eventually(async () => (await bob(['get', 'leases', '-n', NS1])).code === 0, 'bob lists leases through view', 30_000);
    const view = JSON.parse(await admin(['get', 'clusterrole', 'view', '-o', 'json'])) as { rules: { resources?: string[] }[] };
    assert.ok(view.rules.some((r) => r.resources?.includes('leases')));
    await admin(['delete', 'clusterrole', `${P}-lease-viewer`]);
  });

  test('auth can-i and can-i --list answer from RBAC', async () => {
    const list = await ok(bob, ['auth', 'can-i', '--list', '-n', NS1]);
    assert.match(list, /^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
    assert.doesNotMatch(list, /^secrets/m);
    assert.equal((await bob(['auth', 'can-i', 'get', 'pods', '-n', NS1])).stdout.trim(), 'yes');
    assert.equal((await bob(['auth', 'can-i', 'get', 'pods', '-n', NS2])).stdout.trim(), 'no');
  });

  test('--as and --as-group need the impersonate verb', async () => {
    assert.match(await ok((args) => s.kubectl(args), ['get', 'configmaps', '-n', NS1, `--as=${BOB}`, '-o', 'name']), /configmap\/settings/);
    assert.equal((await s.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS1, `--as=${BOB}`])).stdout.trim(), 'no');
    assert.equal(await refused(alice, ['get', 'configmaps', '-n', NS1, `--as=${BOB}`]),
      `Error from server (Forbidden): users "${BOB}" is forbidden: User "${ALICE}" cannot impersonate resource "users" in API group "" at the cluster scope`);
    await admin(['create', 'clusterrole', `${P}-impersonate-bob`, '--verb=impersonate', '--resource=users', `--resource-name=${BOB}`]);
    await admin(['create', 'clusterrolebinding', `${P}-impersonate-bob`, `--clusterrole=${P}-impersonate-bob`, `--user=${ALICE}`]);
    assert.match(await ok(alice, ['get', 'configmaps', '-n', NS1, `--as=${BOB}`, '-o', 'name']), /configmap\/settings/);
    // As bob, alice holds only bob's rights.
    assert.match(await refused(alice, ['delete', 'configmap', 'settings', '-n', NS1, `--as=${BOB}`]), new RegExp(`User "${BOB}" cannot delete resource "configmaps"`));
    assert.equal(await refused(alice, ['get', 'configmaps', '-n', NS1, `--as=${BOB}`, '--as-group=system:masters']),
      `Error from server (Forbidden): groups "system:masters" is forbidden: User "${ALICE}" cannot impersonate resource "groups" in API group "" at the cluster scope`);
  });

  test('a service account\'s token gets what its RoleBinding grants', async () => {
    await admin(['create', 'serviceaccount', 'robot', '-n', NS1]);
    await admin(['create', 'rolebinding', 'robot-view', '--clusterrole=view', `--serviceaccount=${NS1}:robot`, '-n', NS1]);
    const token = (await admin(['create', 'token', 'robot', '-n', NS1])).trim();
    const ca = readFileSync(join(s.dataDir, 'pki', 'ca.crt'), 'utf8');
    const kubeconfig = join(dir, 'robot.yaml');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: s.url, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
      users: [{ name: 'robot', user: { token } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'robot' } }],
    }), { mode: 0o600 });
    const robot: Run = (args) => runKubectl(kubeconfig, join(dir, 'cache-robot'), args);
    assert.match(await ok(robot, ['get', 'configmaps', '-n', NS1, '-o', 'name']), /configmap\/settings/);
    assert.equal(await refused(robot, ['get', 'configmaps', '-n', NS2]),
      `Error from server (Forbidden): configmaps is forbidden: User "system:serviceaccount:${NS1}:robot" cannot list resource "configmaps" in API group "" in the namespace "${NS2}"`);
    assert.equal((await robot(['auth', 'can-i', 'create', 'pods', '-n', NS1])).stdout.trim(), 'no');
  });
});
