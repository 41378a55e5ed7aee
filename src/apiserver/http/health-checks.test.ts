import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { healthChecks, serveHealth } from './health-checks.js';

function answer(endpoint: 'healthz' | 'livez' | 'readyz', ready: boolean, sub?: string, query = ''): { code: number; body: string } {
  const out = { code: 0, body: '' };
  const res = {
    headersSent: false,
    writableEnded: false,
    writeHead(code: number) {
      out.code = code;
      return this;
    },
    end(body: string) {
      out.body = body;
    },
  } as unknown as ServerResponse;
  serveHealth(res, endpoint, healthChecks(endpoint, () => ready), sub, new URLSearchParams(query));
  return out;
}

// As k8s.io/apiserver/pkg/server/healthz/healthz.go handleRootHealth and adaptCheckToHandler.
test('verbose lists each check and says the endpoint passed; plain is ok', () => {
  assert.deepEqual(answer('readyz', true), { code: 200, body: 'ok' });
  assert.deepEqual(answer('readyz', true, undefined, 'verbose'), { code: 200, body: '[+]ping ok\n[+]log ok\n[+]shutdown ok\nreadyz check passed\n' });
  assert.deepEqual(answer('livez', true, undefined, 'verbose'), { code: 200, body: '[+]ping ok\n[+]log ok\nlivez check passed\n' });
});

test('a stopping server fails readyz with the reason withheld, not livez; exclude and single checks', () => {
  assert.deepEqual(answer('readyz', false), { code: 500, body: '[+]ping ok\n[+]log ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n' });
  assert.deepEqual(answer('livez', false), { code: 200, body: 'ok' });
  assert.deepEqual(answer('readyz', false, undefined, 'exclude=shutdown&verbose'), { code: 200, body: '[+]ping ok\n[+]log ok\n[+]shutdown excluded: ok\nreadyz check passed\n' });
  assert.deepEqual(answer('readyz', false, 'shutdown'), { code: 500, body: 'internal server error: process is shutting down\n' });
  assert.deepEqual(answer('readyz', true, 'ping'), { code: 200, body: 'ok' });
  assert.equal(answer('readyz', true, 'etcd-nonexistent').code, 404);
});
