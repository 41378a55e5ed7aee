// Watches over a WebSocket (as kube-apiserver's HandleWS), authenticated by the bearer subprotocol:
// one JSON text message per event, and a refused watch as one ERROR event with its Status.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startApiServer, type ApiServer } from '../server.js';
import { BEARER_PROTOCOL_PREFIX } from './websocket-token.js';

const TOKEN = 'ws-watch-test-token';
const bearer = BEARER_PROTOCOL_PREFIX + Buffer.from(TOKEN).toString('base64url');

describe('watch over WebSocket', () => {
  let api: ApiServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-ws-watch-'));
    api = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'memory', tokens: (t) => (t === TOKEN ? { name: 'tester', groups: ['system:masters'] } : undefined) });
  });
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (path: string, protocols: string[]) => {
    const ws = new WebSocket(`${api.url.replace('https', 'wss')}${path}`, protocols, { rejectUnauthorized: false });
    const messages: { type: string; object: { metadata?: { name?: string }; code?: number } }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return { ws, messages, closed, opened };
  };

  it('sends each event as a JSON text message, token in the subprotocol (not echoed back)', async () => {
    const w = open('/api/v1/namespaces/default/configmaps?watch=1', ['base64.binary.k8s.io', bearer]);
    await w.opened;
    assert.equal(w.ws.protocol, 'base64.binary.k8s.io');
    await api.storage('', 'v1', 'configmaps')!.create({ user: 'tester', groups: ['system:masters'], dryRun: false, fieldValidation: 'Strict', warnings: [] }, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seen-over-ws' } });
    for (let i = 0; i < 100 && !w.messages.some((m) => m.object.metadata?.name === 'seen-over-ws'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(w.messages.find((m) => m.object.metadata?.name === 'seen-over-ws')?.type, 'ADDED');
    w.ws.close();
    await w.closed;
  });

  it('answers a watch the storage refuses with one ERROR event carrying the Status, then closes', async () => {
    const w = open('/api/v1/namespaces/default/configmaps?watch=1&labelSelector=a%20in%20(', ['base64.binary.k8s.io', bearer]);
    await w.opened;
    await w.closed;
    assert.equal(w.messages.length, 1);
    assert.equal(w.messages[0]!.type, 'ERROR');
    assert.equal(w.messages[0]!.object.code, 400);
  });

  it('refuses the upgrade with a bad token (401) and without one (403: system:anonymous, as upstream)', async () => {
    const bad = open('/api/v1/namespaces/default/configmaps?watch=1', ['base64.binary.k8s.io', `${BEARER_PROTOCOL_PREFIX}${Buffer.from('not-the-token').toString('base64url')}`]);
    await assert.rejects(bad.opened, /HTTP 401/);
    const none = open('/api/v1/namespaces/default/configmaps?watch=1', ['base64.binary.k8s.io']);
    await assert.rejects(none.opened, /HTTP 403/);
  });
});
