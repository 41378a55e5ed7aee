import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_IMAGES_DIR } from './private-containerd.js';

const run = promisify(execFile);

/**
 * Debian's docker-registry (CNCF distribution) on 127.0.0.1:<free port> with its own config: no auth,
 * storage in a temp dir. For image pull tests; `stop()` kills it and removes the dir.
 */
export interface TestRegistry {
  /** "127.0.0.1:PORT", as used in image names. */
  host: string;
  /** Copies an image from the test OCI layout (tag "busybox" or "pause") to `host/<repo>`. */
  pushTestImage(layoutTag: string, repo: string): Promise<string>;
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1 (the registry cannot report a port 0 choice back). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry did not answer at ${url}`);
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync('/tmp/bzreg-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: ${host}
`,
  );
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitHttp(`http://${host}/v2/`, 15_000),
      new Promise((_, reject) => child.once('exit', (c) => reject(new Error(`docker-registry exited with ${c}: ${readFileSync(logFile, 'utf8')}`)))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host,
    async pushTestImage(layoutTag, repo) {
      const ref = `${host}/${repo}`;
      await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${join(TEST_IMAGES_DIR, 'oci')}:${layoutTag}`, `docker://${ref}`]);
      return ref;
    },
    stop,
  };
}
