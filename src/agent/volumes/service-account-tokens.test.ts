/**
 * The agent's token manager (kubelet's pkg/kubelet/token/token_manager.go): a TokenRequest bound to
 * the pod, reused until 80% of its lifetime (or 24 h) has passed, the old token served while a
 * refresh fails and it is still valid, and forgotten with the pod.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/kinds/index.js';
import { ServiceAccountTokenManager, requiresRefresh } from './service-account-tokens.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { serviceAccountName: 'robot', containers: [] } } as unknown as Pod;

function fake() {
  const calls: { ns?: string; name: string; sub: string; body: any }[] = [];
  let now = 1_000_000;
  let fail = false;
  const client = {
    createSubresource: async <R>(_ref: unknown, ns: string | undefined, name: string, sub: string, body: unknown): Promise<R> => {
      if (fail) throw new Error('connection refused');
      calls.push({ ns, name, sub, body });
      const seconds = (body as { spec: { expirationSeconds: number } }).spec.expirationSeconds;
      return { status: { token: `t${calls.length}`, expirationTimestamp: new Date(now + seconds * 1000).toISOString() } } as R;
    },
  };
  const m = new ServiceAccountTokenManager(client, () => now);
  return { m, calls, advance: (ms: number) => (now += ms), failing: (f: boolean) => (fail = f) };
}

test('asks serviceaccounts/token bound to the pod, with the audience and lifetime of the projection', async () => {
  const { m, calls } = fake();
  assert.equal(await m.get(pod, undefined, 3607), 't1');
  assert.deepEqual(calls[0], {
    ns: 'ns', name: 'robot', sub: 'token',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' } } },
  });
  assert.equal(await m.get(pod, 'vault', 600), 't2');
  assert.deepEqual(calls[1]!.body.spec.audiences, ['vault']);
});

test('the token is reused until 80% of its lifetime, then refreshed', async () => {
  const { m, calls, advance } = fake();
  await m.get(pod, undefined, 1000);
  advance(799_000);
  assert.equal(await m.get(pod, undefined, 1000), 't1');
  advance(1_000);
  assert.equal(await m.get(pod, undefined, 1000), 't2', 'at 80% a new token is fetched');
  assert.equal(calls.length, 2);
});

test('a failed refresh serves the old token while it is valid, then fails', async () => {
  const { m, advance, failing } = fake();
  await m.get(pod, undefined, 1000);
  advance(900_000);
  failing(true);
  assert.equal(await m.get(pod, undefined, 1000), 't1');
  advance(200_000);
  await assert.rejects(m.get(pod, undefined, 1000), /connection refused/);
});

test('tokens older than 24 h are refreshed whatever their lifetime; a forgotten pod starts over', async () => {
  assert.equal(requiresRefresh({ token: 't', issuedMs: 0, expiresMs: 10 * 24 * 3600_000 }, 24 * 3600_000 + 1), true);
  assert.equal(requiresRefresh({ token: 't', issuedMs: 0, expiresMs: 10 * 24 * 3600_000 }, 3600_000), false);
  const { m, calls } = fake();
  await m.get(pod, undefined, 3607);
  m.forget('u1');
  await m.get(pod, undefined, 3607);
  assert.equal(calls.length, 2);
});
