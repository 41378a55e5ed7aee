/**
 * The self-review storages on their own: requests become authorizer attributes of the requesting
 * user, bad specs are 422 Invalid as upstream words them, the client's status is replaced, and
 * every verb but create is 405.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import type { RequestAttributes } from '../authz/attributes.js';
import type { RequestContext } from '../storage/types.js';
import { createReviewStorages } from './review-storage.js';

const ctx = (o: Partial<RequestContext> = {}): RequestContext => ({
  user: 'system:node:n1', groups: ['system:nodes'], dryRun: false, fieldValidation: 'Strict', warnings: [], ...o,
});

function setup() {
  const seen: RequestAttributes[] = [];
  const [access, rules] = createReviewStorages({
    decide: async (a) => {
      seen.push(a);
      return a.verb === 'get' ? { allowed: true } : { allowed: false, reason: `no ${a.verb}` };
    },
    decideNonResource: () => ({ allowed: true }),
    rules: (user, namespace) => ({ resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: [namespace] }], nonResourceRules: [], incomplete: user.name !== 'admin' }),
  });
  return { access: access!, rules: rules!, seen };
}

const ssar = (spec: object, extra: object = {}): KubeObject =>
  ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status: { allowed: true }, ...extra }) as KubeObject;

async function rejects(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('a resource review asks the authorizer as the requesting user, empty strings meaning unset', async () => {
  const { access, seen } = setup();
  const got = await access.create(ctx(), undefined, ssar({ resourceAttributes: { verb: 'delete', resource: 'pods', namespace: 'prod', name: '', subresource: '' } })) as any;
  assert.deepEqual(seen, [{ user: { name: 'system:node:n1', groups: ['system:nodes'] }, verb: 'delete', group: '', version: '', resource: 'pods', subresource: undefined, namespace: 'prod', name: undefined }]);
  assert.deepEqual(got.status, { allowed: false, reason: 'no delete' }, 'the client-sent status is replaced');
  const yes = await access.create(ctx(), undefined, ssar({ resourceAttributes: { verb: 'get', resource: 'pods' } })) as any;
  assert.deepEqual(yes.status, { allowed: true });
  assert.equal(yes.kind, 'SelfSubjectAccessReview');
});

test('a non-resource review is allowed (the router does not authorize those paths)', async () => {
  const { access, seen } = setup();
  const got = await access.create(ctx(), undefined, ssar({ nonResourceAttributes: { verb: 'get', path: '/healthz' } })) as any;
  assert.deepEqual(got.status, { allowed: true });
  assert.equal(seen.length, 0);
});

test('invalid reviews are 422 with upstream messages', async () => {
  const { access } = setup();
  await rejects(access.create(ctx(), undefined, ssar({})), 422,
    /^SelfSubjectAccessReview\.authorization\.k8s\.io "" is invalid: spec\.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified$/);
  await rejects(access.create(ctx(), undefined, ssar({ resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/' } })), 422,
    /spec\.nonResourceAttributes: Invalid value: .*cannot be specified in combination with resourceAttributes/);
  await rejects(access.create(ctx(), undefined, ssar({ resourceAttributes: { verb: 'get' } }, { metadata: { name: 'x' } })), 422, /metadata: Invalid value: .*must be empty/);
  await rejects(access.create(ctx(), undefined, ssar({ resourceAttributes: { verb: 'get', resourcee: 'pods' } })), 400, /unknown field "spec\.resourceAttributes\.resourcee"/);
});

test('a rules review needs a namespace and answers the rules alone', async () => {
  const { rules } = setup();
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'prod' }, status: { incomplete: false } } as KubeObject;
  const got = await rules.create(ctx(), undefined, body) as any;
  assert.deepEqual(got.status, { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['prod'] }], nonResourceRules: [], incomplete: true });
  await rejects(rules.create(ctx(), undefined, { ...body, spec: {} } as KubeObject), 400, /^no namespace on request$/);
});

test('every verb but create is 405', async () => {
  const { access } = setup();
  const calls: (() => Promise<unknown>)[] = [
    () => access.get(ctx(), undefined, 'x'),
    () => access.list(ctx(), undefined, {} as never),
    () => access.update(ctx(), undefined, 'x', ssar({})),
    () => access.delete(ctx(), undefined, 'x', {} as never),
  ];
  for (const call of calls) await rejects(call(), 405, /does not allow this method/);
});
