/**
 * Which failures a starting node waits out and which it reports at once, and the waits between
 * attempts: 100 ms doubling to 7 s as upstream's kubelet registration (pkg/kubelet/
 * kubelet_node_status.go registerWithAPIServer), plus client-go-style jitter (wait.Jitter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure } from '../../api/status.js';
import { CaPinMismatchError } from './join-cluster.js';
import { parseRetryAfter } from '../../client/errors.js';
import { HttpAnswerError, isTransient, retryAfterMs, retryDelayMs, retryTransient } from './retry-transient.js';

const errno = (code: string): Error => Object.assign(new Error(`connect ${code} 10.0.0.1:6443`), { code });

test('network errors, 5xx and 429 are transient; 4xx, a CA pin mismatch and TLS failures are not', () => {
  for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE']) {
    assert.equal(isTransient(errno(code)), true, code);
  }
  for (const code of [500, 502, 503, 504, 429]) {
    assert.equal(isTransient(failure(code, 'InternalError', 'x')), true, `StatusError ${code}`);
    assert.equal(isTransient(new HttpAnswerError('x', code)), true, `answer ${code}`);
  }
  for (const code of [400, 401, 403, 404, 409, 410, 422]) {
    assert.equal(isTransient(failure(code, 'BadRequest', 'x')), false, `StatusError ${code}`);
    assert.equal(isTransient(new HttpAnswerError('x', code)), false, `answer ${code}`);
  }
  assert.equal(isTransient(new Error('request GET /api/v1/nodes/n1 timed out after 30000 ms')), true, 'the API client\'s timeout');
  assert.equal(isTransient(new CaPinMismatchError('refusing to join')), false);
  for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ENOENT', 'EACCES']) {
    assert.equal(isTransient(errno(code)), false, code);
  }
  assert.equal(isTransient(new SyntaxError('Unexpected token')), false);
  assert.equal(isTransient(undefined), false);
});

test('waits double from 100 ms to a 7 s cap, with up to 20 % added at random', () => {
  const none = { random: () => 0 };
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => retryDelayMs(n, none)), [100, 200, 400, 800, 1600, 3200, 6400, 7000, 7000]);
  const most = { random: () => 0.999999 };
  assert.deepEqual([1, 8].map((n) => retryDelayMs(n, most)), [120, 8400]);
  assert.equal(retryDelayMs(3, { initialMs: 1000, maxMs: 2500, jitter: 0, random: () => 0.5 }), 2500);
});

test('retryTransient: retries transient failures with a log line each, reports the others at once', async () => {
  const logs: string[] = [];
  let calls = 0;
  const v = await retryTransient('GET x', async () => {
    if (++calls < 3) throw calls === 1 ? errno('EHOSTUNREACH') : new HttpAnswerError('GET x answered 503: busy', 503);
    return 'ok';
  }, { log: (m) => logs.push(m), initialMs: 1, random: () => 0 });
  assert.equal(v, 'ok');
  assert.deepEqual(logs, [
    'GET x failed: connect EHOSTUNREACH 10.0.0.1:6443; retrying in 0.0 s (attempt 1)',
    'GET x failed: GET x answered 503: busy; retrying in 0.0 s (attempt 2)',
  ]);

  const refused = failure(401, 'Unauthorized', 'bad token');
  let tries = 0;
  await assert.rejects(retryTransient('POST y', async () => {
    tries++;
    throw refused;
  }, { log: (m) => logs.push(m) }), (e) => e === refused);
  assert.equal(tries, 1);
  assert.equal(logs.length, 2, 'nothing logged for a failure that is not retried');
});

test('retryTransient: an abort ends the waiting with the last failure', async () => {
  const ac = new AbortController();
  const last = errno('ECONNREFUSED');
  let tries = 0;
  await assert.rejects(retryTransient('GET z', async () => {
    tries++;
    throw last;
  }, { signal: ac.signal, initialMs: 60_000 * 60, log: () => ac.abort() }), (e) => e === last);
  assert.equal(tries, 1, 'aborted during the first wait (an hour long)');
});

test('a failure with a Retry-After is retried no sooner than the server asked (client-go checkWait)', async () => {
  assert.equal(retryAfterMs(failure(429, 'TooManyRequests', 'busy', { retryAfterSeconds: 2 })), 2000);
  assert.equal(retryAfterMs(new HttpAnswerError('x', 503, 5)), 5000);
  assert.equal(retryAfterMs(new HttpAnswerError('x', 503)), undefined);
  assert.equal(retryAfterMs(errno('ECONNREFUSED')), undefined);
  for (const [h, want] of [['3', 3], [' 10 ', 10], [['7'], 7], ['Fri, 31 Dec 1999 23:59:59 GMT', undefined], ['-1', undefined], ['1.5', undefined], [undefined, undefined]] as const) {
    assert.equal(parseRetryAfter(h as string | string[] | undefined), want, String(h));
  }

  const logs: string[] = [];
  const ac = new AbortController();
  let calls = 0;
  // The first wait would be 1 ms by the back-off; the server's Retry-After makes it 2 s. The second
  // failure carries none, so its wait is the back-off again. The test ends in the second wait.
  await assert.rejects(retryTransient('POST x', async () => {
    calls++;
    throw calls === 1 ? failure(429, 'TooManyRequests', 'busy', { retryAfterSeconds: 2 }) : new HttpAnswerError('POST x answered 500', 500);
  }, {
    initialMs: 1, random: () => 0, signal: ac.signal,
    log: (m) => {
      logs.push(m);
      if (calls === 2) ac.abort();
    },
  }), /answered 500/);
  assert.deepEqual(logs, [
    'POST x failed: busy (429); retrying in 2.0 s (attempt 1)',
    'POST x failed: POST x answered 500; retrying in 0.0 s (attempt 2)',
  ]);
});
