/**
 * The service health server alone (service_health.go's contract): a port per Service, 200 only with
 * ready local endpoints and a healthy proxy, a changed port moves the server, a removed Service
 * closes it, a taken port is retried at the next sync.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { quietLogger } from '../testing/quiet-logger.js';
import { serviceHealthServer } from './service-health.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function check(port: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    const body = await res.json() as { localEndpoints: number; serviceProxyHealthy: boolean };
    return `${res.status} ${body.localEndpoints} ${body.serviceProxyHealthy} ${res.headers.get('x-content-type-options')}`;
  } catch {
    return 'ERR';
  }
}

describe('service health server', () => {
  it('answers by local endpoints and proxy health, follows port changes and removals', async () => {
    const hs = serviceHealthServer(['127.0.0.1'], quietLogger);
    const [p1, p2] = [await freePort(), await freePort()];
    try {
      await hs.sync(new Map([['ns/a', { port: p1, localEndpoints: 2 }]]));
      assert.equal(await check(p1), '200 2 true nosniff');
      hs.setProxyHealthy(false);
      assert.equal(await check(p1), '503 2 false nosniff');
      hs.setProxyHealthy(true);
      await hs.sync(new Map([['ns/a', { port: p1, localEndpoints: 0 }]]));
      assert.equal(await check(p1), '503 0 true nosniff');
      await hs.sync(new Map([['ns/a', { port: p2, localEndpoints: 1 }]]));
      assert.equal(await check(p1), 'ERR');
      assert.equal(await check(p2), '200 1 true nosniff');
      await hs.sync(new Map());
      assert.equal(await check(p2), 'ERR');
    } finally {
      await hs.close();
    }
  });

  it('retries a port that was taken at the next sync', async () => {
    const hs = serviceHealthServer(['127.0.0.1'], quietLogger);
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await hs.sync(new Map([['ns/b', { port, localEndpoints: 1 }]]));
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      await hs.sync(new Map([['ns/b', { port, localEndpoints: 1 }]]));
      assert.equal(await check(port), '200 1 true nosniff');
    } finally {
      squatter.close();
      await hs.close();
    }
  });
});
