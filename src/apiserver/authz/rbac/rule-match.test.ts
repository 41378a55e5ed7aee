/**
 * Table tests of RBAC's rule semantics against upstream's: RuleAllows and its matchers
 * (pkg/apis/rbac/v1/evaluation_helpers.go), Covers/ruleCovers for escalation checks
 * (pkg/registry/rbac/validation/policy_comparator_test.go's cases), and the compacted
 * description of missing rules (CompactRules, CompactString).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from '../../../api/kinds/rbac/policy-rule.js';
import { compactRules, compactString, covers, ruleAllows, type RuleRequest } from './rule-match.js';

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });

test('RuleAllows: verbs, groups, resources with subresources, names and URLs', () => {
  const rows: [PolicyRule, RuleRequest, boolean][] = [
    [r(['get'], [''], ['pods']), { verb: 'get', group: '', resource: 'pods', name: 'a' }, true],
    [r(['get'], [''], ['pods']), { verb: 'list', group: '', resource: 'pods' }, false],
    [r(['*'], [''], ['pods']), { verb: 'escalate', group: '', resource: 'pods' }, true],
    [r(['get'], ['apps'], ['pods']), { verb: 'get', group: '', resource: 'pods' }, false],
    [r(['get'], ['*'], ['deployments']), { verb: 'get', group: 'apps', resource: 'deployments' }, true],
    // A subresource is its own resource: pods does not cover pods/log, nor pods/log pods.
    [r(['get'], [''], ['pods']), { verb: 'get', group: '', resource: 'pods', subresource: 'log' }, false],
    [r(['get'], [''], ['pods/log']), { verb: 'get', group: '', resource: 'pods', subresource: 'log' }, true],
    [r(['get'], [''], ['pods/log']), { verb: 'get', group: '', resource: 'pods' }, false],
    [r(['get'], ['*'], ['*/scale']), { verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale' }, true],
    [r(['get'], ['*'], ['*/scale']), { verb: 'get', group: 'apps', resource: 'deployments' }, false],
    [r(['get'], ['*'], ['*']), { verb: 'get', group: '', resource: 'pods', subresource: 'exec' }, true],
    // resourceNames: only requests naming one of them (a list names none).
    [r(['get'], [''], ['configmaps'], ['a']), { verb: 'get', group: '', resource: 'configmaps', name: 'a' }, true],
    [r(['get'], [''], ['configmaps'], ['a']), { verb: 'get', group: '', resource: 'configmaps', name: 'b' }, false],
    [r(['list'], [''], ['configmaps'], ['a']), { verb: 'list', group: '', resource: 'configmaps' }, false],
    // Non-resource URLs: exact, `*`, or a prefix ending in `*`; never for resource requests.
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verb: 'get', path: '/healthz' }, true],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verb: 'get', path: '/healthz/etcd' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { verb: 'get', path: '/apis/apps/v1' }, true],
    [{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, { verb: 'get', path: '/apis' }, false],
    [{ verbs: ['get'], nonResourceURLs: ['*'] }, { verb: 'get', path: '/anything' }, true],
    [{ verbs: ['get'], nonResourceURLs: ['*'] }, { verb: 'get', group: '', resource: 'pods' }, false],
    [r(['*'], ['*'], ['*']), { verb: 'get', path: '/metrics' }, false],
  ];
  for (const [rule, req, want] of rows) assert.equal(ruleAllows(req, rule), want, `${JSON.stringify(rule)} ${JSON.stringify(req)}`);
});

test('Covers: an owner covers what its rules allow, rule by broken-down rule', () => {
  const rows: [PolicyRule[], PolicyRule[], boolean][] = [
    [[r(['*'], ['*'], ['*'])], [r(['get', 'delete'], ['', 'apps'], ['pods', 'deployments'])], true],
    [[r(['get'], [''], ['pods']), r(['list'], [''], ['pods'])], [r(['get', 'list'], [''], ['pods'])], true],
    [[r(['get'], [''], ['pods'])], [r(['get', 'list'], [''], ['pods'])], false],
    [[r(['get'], [''], ['*/log'])], [r(['get'], [''], ['pods/log'])], true],
    [[r(['get'], [''], ['*/log'])], [r(['get'], [''], ['pods'])], false],
    // Names: an unrestricted owner covers a restricted rule, never the other way round.
    [[r(['get'], [''], ['secrets'])], [r(['get'], [''], ['secrets'], ['a'])], true],
    [[r(['get'], [''], ['secrets'], ['a'])], [r(['get'], [''], ['secrets'])], false],
    [[r(['get'], [''], ['secrets'], ['a', 'b'])], [r(['get'], [''], ['secrets'], ['b'])], true],
    [[{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }], true],
    [[{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/api'] }], false],
    [[], [], true],
  ];
  for (const [owner, servant, want] of rows) assert.equal(covers(owner, servant).covered, want, `${JSON.stringify(owner)} ⊇ ${JSON.stringify(servant)}`);
});

test('the missing rules are compacted and described as upstream prints them', () => {
  const { missing } = covers([r(['get'], [''], ['pods'])], [r(['get', 'delete', 'list'], [''], ['pods', 'secrets']), { verbs: ['get'], nonResourceURLs: ['/metrics'] }]);
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  assert.deepEqual(lines, [
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "list"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "list"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ]);
  assert.equal(compactString(r(['get'], [''], ['secrets'], ['a'])), '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}');
});
