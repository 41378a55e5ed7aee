/**
 * A registries file (k3s's registries.yaml format) on a real private containerd: an image named
 * after a registry that is not there (localhost:1) is pulled through the mirror endpoint the file
 * names, a local docker-registry behind basic auth, with the credentials the file gives for that
 * endpoint's host; a second mirror whose credentials the file lacks is refused (401). All traffic
 * stays on 127.0.0.1. Needs root, containerd, docker-registry, skopeo and the test images.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestRegistry, type TestRegistry } from '../testing/local-registry.js';
import { startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';
import { readRegistriesFile } from './registries-file.js';

const USER = 'bosun-mirror';
const PASSWORD = 'pa:ss"word';

/** A basic-auth front for the registry (as nginx in front of distribution), counting what it saw. */
interface AuthProxy { server: Server; port: number; authorized: number; refused: number }

async function authProxy(registryHost: string): Promise<AuthProxy> {
  const want = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const p: AuthProxy = { server: createServer(), port: 0, authorized: 0, refused: 0 };
  p.server.on('request', (req, res) => {
    if (req.headers.authorization !== want) {
      p.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="bosun-test"', 'Docker-Distribution-API-Version': 'registry/2.0' }).end();
      return;
    }
    p.authorized++;
    const [host, port] = registryHost.split(':');
    const up = request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, authorization: '' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
  p.port = (p.server.address() as AddressInfo).port;
  return p;
}

let registry: TestRegistry;
let withAuth: AuthProxy;
let withoutAuth: AuthProxy;
let tc: TestContainerd;
const dir = mkdtempSync(join(tmpdir(), 'bosun-registries-'));

before(async () => {
  registry = await startTestRegistry();
  await registry.pushTestImage('busybox', 'bosun/private:1');
  [withAuth, withoutAuth] = await Promise.all([authProxy(registry.host), authProxy(registry.host)]);
  const file = join(dir, 'registries.yaml');
  // localhost:1 and localhost:2 are the registries as image names spell them; nothing listens there.
  writeFileSync(file, `
mirrors:
  "localhost:1":
    endpoint: ["http://127.0.0.1:${withAuth.port}"]
  "localhost:2":
    endpoint: ["http://127.0.0.1:${withoutAuth.port}"]
configs:
  "127.0.0.1:${withAuth.port}":
    auth:
      username: ${USER}
      password: '${PASSWORD}'
`);
  tc = await startTestContainerd({ registryConfig: readRegistriesFile(file) });
});

after(async () => {
  await tc?.teardown();
  for (const p of [withAuth, withoutAuth]) p?.server.close();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an image is pulled through the mirror the registries file names, with its credentials', async () => {
  const ref = 'localhost:1/bosun/private:1';
  const id = await tc.cri.pullImage(ref);
  assert.match(id, /^sha256:/);
  assert.ok((await tc.cri.imageStatus(ref))?.repoTags.includes(ref));
  assert.ok(withAuth.authorized > 0, 'the mirror saw no authorized request');
});

test('a mirror the file gives no credentials for refuses the pull', async () => {
  await assert.rejects(tc.cri.pullImage('localhost:2/bosun/private:1'), /pulling from host 127\.0\.0\.1:\d+ failed with status code .*401 Unauthorized/);
  assert.equal(withoutAuth.authorized, 0);
  assert.ok(withoutAuth.refused > 0, 'the pull did not go to the mirror');
});
