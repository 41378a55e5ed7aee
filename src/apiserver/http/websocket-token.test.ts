// The WebSocket bearer subprotocol, case by case as upstream's request/websocket/protocol_test.go.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { authenticate } from './authn.js';
import { BEARER_PROTOCOL_PREFIX, websocketBearerToken } from './websocket-token.js';

const req = (protocols: string | undefined, upgrade = true, authorization?: string): IncomingMessage => ({
  headers: {
    ...(upgrade ? { connection: 'Upgrade', upgrade: 'websocket' } : {}),
    ...(protocols !== undefined ? { 'sec-websocket-protocol': protocols } : {}),
    ...(authorization ? { authorization } : {}),
  },
  socket: {},
}) as unknown as IncomingMessage;
const enc = (t: string) => BEARER_PROTOCOL_PREFIX + Buffer.from(t).toString('base64url');
const tokens = (t: string) => (t === 'good-token' ? { name: 'alice', groups: ['devs'] } : undefined);

describe('WebSocket bearer subprotocol', () => {
  it('authenticates the token and strips it from the offered protocols', async () => {
    const r = req(`v5.channel.k8s.io, ${enc('good-token')}, v4.channel.k8s.io`);
    assert.deepEqual(await authenticate(r, tokens), { name: 'alice', groups: ['devs', 'system:authenticated'] });
    assert.equal(r.headers['sec-websocket-protocol'], 'v5.channel.k8s.io,v4.channel.k8s.io');
  });

  it('keeps the uid and extra of the user, as the Authorization header path does', async () => {
    const sa = {
      name: 'system:serviceaccount:ns:robot', uid: 'sa-uid-1', groups: ['system:serviceaccounts'],
      extra: { 'authentication.kubernetes.io/pod-name': ['p'] },
    };
    const saTokens = (t: string) => (t === 'sa-token' ? sa : undefined);
    const want = { ...sa, groups: ['system:serviceaccounts', 'system:authenticated'] };
    assert.deepEqual(await authenticate(req(`v5.channel.k8s.io,${enc('sa-token')}`), saTokens), want);
    assert.deepEqual(await authenticate(req(undefined, false, 'Bearer sa-token'), saTokens), want);
  });

  it('leaves a rejected token in place and refuses the request (undefined: 401, never anonymous)', async () => {
    const r = req(`v5.channel.k8s.io,${enc('bad')}`);
    assert.equal(await authenticate(r, tokens), undefined);
    assert.match(String(r.headers['sec-websocket-protocol']), /base64url/);
  });

  it('ignores the protocol on requests that are not WebSocket upgrades', async () => {
    assert.equal(websocketBearerToken(req(`v5.channel.k8s.io,${enc('good-token')}`, false)), undefined);
    assert.deepEqual(await authenticate(req(`v5.channel.k8s.io,${enc('good-token')}`, false), tokens), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.equal(await authenticate(req(`v5.channel.k8s.io,${enc('good-token')}`, false), tokens, false), undefined);
  });

  it('refuses two tokens, bad encoding, and a token with no other subprotocol (401)', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { status: { code: number; message: string } }).status;
      }
      return undefined;
    };
    assert.equal(code(() => websocketBearerToken(req(`v5.channel.k8s.io,${enc('a')},${enc('b')}`)))?.code, 401);
    assert.match(code(() => websocketBearerToken(req(`v5.channel.k8s.io,${BEARER_PROTOCOL_PREFIX}a+b=`)))?.message ?? '', /encoding/);
    assert.match(code(() => websocketBearerToken(req(enc('good-token'))))?.message ?? '', /missing additional subprotocol/);
  });

  it('prefers the Authorization header when both are sent', async () => {
    const r = req(`v5.channel.k8s.io,${enc('good-token')}`, true, 'Bearer bad');
    assert.equal(await authenticate(r, tokens), undefined);
  });
});
