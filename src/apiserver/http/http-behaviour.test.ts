/**
 * HTTP-level behaviour against a real in-process server: watch streams (headers at once, Table
 * events, timeoutSeconds, client disconnect stops the storage watch) and the 60 s request bound
 * (shortened here) answering 504 Timeout.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RawClient } from '../../testing/raw-client.js';
import { createServedApi } from '../served-api.js';
import { startApiServer, type ApiServer } from '../server.js';
import type { ResourceStorage, WatchStream } from '../storage/types.js';

describe('HTTP behaviour', () => {
  let server: ApiServer;
  let c: RawClient;
  let dir: string;
  let agent: Agent;
  let stops = 0;
  let slowGets = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-http-test-'));
    server = await startApiServer({
      dataDir: dir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'memory', requestTimeoutMs: 300, log: () => undefined,
      api: (store) => {
        const api = createServedApi(store);
        // Instrument configmaps: count stopped watches; a get of "slow" never answers.
        api.storages = api.storages.map((s): ResourceStorage => {
          if (s.def.plural !== 'configmaps') return s;
          return Object.assign(Object.create(Object.getPrototypeOf(s)), s, {
            watch: async (...args: Parameters<ResourceStorage['watch']>): Promise<WatchStream> => {
              const w = await s.watch(...args);
              return { stop: () => { stops++; w.stop(); } };
            },
            get: (...args: Parameters<ResourceStorage['get']>) => {
              if (args[2] === 'slow') {
                slowGets++;
                return new Promise(() => undefined);
              }
              return s.get(...args);
            },
          });
        });
        return api;
      },
    });
    c = new RawClient(server.url, dir);
    const pki = join(dir, 'pki');
    agent = new Agent({ ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) });
  });
  after(async () => {
    c?.close();
    agent?.destroy();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a watch and collects lines; resolves once the headers arrived. */
  function openWatch(path: string, accept = 'application/json'): Promise<{ status: number; contentType?: string; lines: any[]; ended: Promise<void>; close(): void }> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server.url), { agent, headers: { Accept: accept } }, (res) => {
        const lines: any[] = [];
        let buf = '';
        const ended = new Promise<void>((r) => res.once('close', () => r()));
        res.setEncoding('utf8').on('data', (d: string) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            lines.push(JSON.parse(buf.slice(0, i)));
            buf = buf.slice(i + 1);
          }
        });
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'], lines, ended, close: () => req.destroy() });
      });
      req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
      req.end();
    });
  }

  const until = async (cond: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(cond(), `timed out waiting for ${what}`);
  };

  test('a watch answers headers before any event, as Table events with columns only first', async () => {
    const w = await openWatch('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=30', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    assert.equal(w.status, 200);
    assert.equal(w.lines.length, 0);
    for (const name of ['t1', 't2']) {
      assert.equal((await c.send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })).status, 201);
    }
    await until(() => w.lines.length >= 2, 'two events');
    assert.equal(w.lines[0].type, 'ADDED');
    assert.equal(w.lines[0].object.kind, 'Table');
    assert.ok(w.lines[0].object.columnDefinitions.length > 0);
    assert.equal(w.lines[0].object.rows[0].object.metadata.name, 't1');
    assert.equal(w.lines[1].object.columnDefinitions, null);
    w.close();
  });

  test('a watch-list ends its initial events with a bookmark carrying the list blueprint, and is never a Table', async () => {
    const path = '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
    const blueprintOf = async (accept: string): Promise<{ first: any; blueprint: unknown }> => {
      const w = await openWatch(path, accept);
      assert.equal(w.status, 200);
      await until(() => w.lines.some((l) => l.type === 'BOOKMARK'), 'the initial-events-end bookmark');
      w.close();
      const mark = w.lines.find((l) => l.type === 'BOOKMARK');
      assert.equal(mark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
      // What client-go's WatchList decodes the items into (1.32's watchListTransformer).
      const blueprint = JSON.parse(Buffer.from(mark.object.metadata.annotations['k8s.io/initial-events-list-blueprint'], 'base64').toString('utf8'));
      return { first: w.lines[0], blueprint };
    };
    assert.deepEqual((await blueprintOf('application/json')).blueprint, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: null });
    const partial = await blueprintOf('application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
    assert.deepEqual(partial.blueprint, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: {}, items: null });
    // No Table for a watch-list (watchListEndpointRestrictions): the next media type offered, else 406.
    assert.equal((await blueprintOf('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).first.object.kind, 'ConfigMap');
    assert.equal((await c.request(path, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).status, 406);
    // Without bookmarks it is an ordinary watch: Table allowed.
    const plain = await openWatch(path.replace('&allowWatchBookmarks=true', ''), 'application/json;as=Table;v=v1;g=meta.k8s.io');
    await until(() => plain.lines.length > 0, 'an initial event');
    plain.close();
    assert.equal(plain.lines[0].object.kind, 'Table');
  });

  test('Table output validates includeObject (ValidateTableOptions)', async () => {
    const r = await c.request('/api/v1/namespaces/default/configmaps?includeObject=Bogus', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, "Unable to convert to Table as requested: includeObject: Invalid value: \"Bogus\": must be 'Metadata', 'Object', 'None', or empty");
    // Only a Table reads it.
    assert.equal((await c.request('/api/v1/namespaces/default/configmaps?includeObject=Bogus')).status, 200);
  });

  test('a watch ends at timeoutSeconds', async () => {
    const w = await openWatch('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
    const t0 = Date.now();
    await w.ended;
    assert.ok(Date.now() - t0 < 5000);
    await until(() => server.openWatches() === 0, 'the watch to be released');
  });

  test('a client going away stops the storage watch', async () => {
    const before = stops;
    const w = await openWatch('/api/v1/watch/namespaces/default/configmaps');
    await until(() => server.openWatches() === 1, 'the watch to open');
    w.close();
    await until(() => stops === before + 1 && server.openWatches() === 0, 'the storage watch to stop');
  });

  // Upstream's RequestInfoFactory turns only a nameless get into a watch: GET of one object with
  // ?watch=true is a get (authorized as one, not long-running), answered with the object at once.
  test('GET of one object with ?watch=true is a get of that object, not a watch', async () => {
    assert.equal((await c.send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'named-watch' }, data: { a: '1' } })).status, 201);
    const r = await c.request('/api/v1/namespaces/default/configmaps/named-watch?watch=true');
    assert.equal(r.status, 200);
    assert.equal(r.json.kind, 'ConfigMap');
    assert.deepEqual(r.json.data, { a: '1' });
    assert.equal(server.openWatches(), 0);
  });

  test('a /watch/ of a named object allows no fieldSelector requiring another name', async () => {
    const other = await c.request('/api/v1/watch/namespaces/default/configmaps/named-watch?fieldSelector=metadata.name%3Dt2&timeoutSeconds=1');
    assert.equal(other.status, 400);
    assert.equal(other.json.message, "fieldSelector metadata.name doesn't match requested name");
  });

  test('a request that takes too long is answered 504 Timeout', async () => {
    const r = await c.request('/api/v1/namespaces/default/configmaps/slow');
    assert.equal(slowGets, 1);
    assert.equal(r.status, 504);
    assert.equal(r.json.reason, 'Timeout');
  });
});
