/**
 * The rules `kubectl auth can-i --list` shows must agree with the decisions the router enforces:
 * every rule listed for a node is allowed by the node authorizer, and what is not listed for it
 * (another node's objects, writes to pods) is denied. (RBAC's rules: rbac/rbac-api.test.ts and
 * test/e2e/rbac.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestAttributes } from './attributes.js';
import { createAuthorization } from './authorizer.js';
import { rulesFor } from './rules.js';

const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const authz = createAuthorization({ pods: () => undefined });

test('admins may do everything; an ordinary user only what RBAC binds to it, both listed completely', () => {
  const admin = authz.rules({ name: 'admin', groups: ['system:masters'] }, 'default');
  assert.equal(admin.incomplete, false);
  assert.deepEqual(admin.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
  assert.deepEqual(admin.nonResourceRules, [{ verbs: ['*'], nonResourceURLs: ['*'] }]);
  // No RBAC objects in this authorizer: alice holds nothing, and the list says so completely.
  assert.deepEqual(authz.rules({ name: 'alice', groups: ['system:authenticated'] }, 'default'), { resourceRules: [], nonResourceRules: [], incomplete: false });
  // With authorization AlwaysAllow (the RBAC benchmark's baseline) everyone may do everything.
  const open = createAuthorization({ pods: () => undefined, mode: 'AlwaysAllow' }).rules({ name: 'alice', groups: ['system:authenticated'] }, 'default');
  assert.deepEqual(open.resourceRules[0], { verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
});

test('every rule listed for a node is allowed by the authorizer', async () => {
  for (const namespace of ['default', 'kube-node-lease', 'kube-system']) {
    const r = rulesFor(node, namespace);
    assert.equal(r.incomplete, true, 'pods bound to the node are not listed');
    assert.match(r.evaluationError ?? '', /pods bound to node 'n1'/);
    for (const rule of r.resourceRules) {
      for (const group of rule.apiGroups ?? []) {
        for (const res of rule.resources ?? []) {
          const [resource, subresource] = res.split('/') as [string, string | undefined];
          for (const verb of rule.verbs) {
            for (const name of rule.resourceNames ?? [undefined]) {
              const a: RequestAttributes = { user: node, verb, group, version: 'v1', resource, subresource, namespace: resource === 'nodes' ? undefined : namespace, name };
              const d = await authz.decide(a);
              assert.ok(d.allowed, `${namespace}: ${verb} ${group}/${res} ${name ?? ''}`);
            }
          }
        }
      }
    }
  }
});

test('what a node is not given is denied', async () => {
  const rows: Partial<RequestAttributes>[] = [
    { verb: 'delete', resource: 'nodes' },
    { verb: 'patch', resource: 'nodes', name: 'n2' },
    { verb: 'create', resource: 'pods', namespace: 'default' },
    { verb: 'list', group: 'apps', resource: 'deployments' },
    { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n2' },
  ];
  for (const row of rows) {
    const d = await authz.decide({ user: node, verb: 'get', group: '', version: 'v1', resource: 'pods', ...row });
    assert.equal(d.allowed, false, JSON.stringify(row));
  }
  assert.ok(rulesFor(node, 'default').resourceRules.every((r) => !r.verbs.includes('*')));
});

test('every authenticated user may create self reviews (system:basic-user)', async () => {
  for (const resource of ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']) {
    assert.ok((await authz.decide({ user: node, verb: 'create', group: 'authorization.k8s.io', version: 'v1', resource })).allowed);
    assert.equal((await authz.decide({ user: node, verb: 'list', group: 'authorization.k8s.io', version: 'v1', resource })).allowed, false);
  }
});
