/**
 * Bosun runs on a maintained Node.js LTS whatever `node` comes first on PATH (issue 12: Node 20
 * reached end of life in April 2026; Debian 12 ships 18). scripts/node-lts.sh installs a pinned LTS
 * into BOSUN_NODE_PREFIX (/opt/bosun/node) when the machine has no node >= 22, and bin/bosun.js
 * prefers it: started from a shell (its `#!/bin/sh` line picks the prefix's node), and started by an
 * older node directly (`node bin/bosun.js`, which re-runs itself on the LTS). Needs `npm run build`.
 * Each test points BOSUN_NODE_PREFIX at a temporary prefix whose bin/node is the node running the
 * tests, and reports the runtime of every node process started through NODE_OPTIONS --import.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/bosun.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const major = (v: string) => Number(v.replace(/^v/, '').split('.')[0]);

const tmp = mkdtempSync(join(tmpdir(), 'bosun-node-lts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
// The LTS prefix: bin/node is this test's node.
const prefix = join(tmp, 'lts');
mkdirSync(join(prefix, 'bin'), { recursive: true });
symlinkSync(process.execPath, join(prefix, 'bin/node'));
// A `node` first on PATH that is not the LTS: using it fails.
const oldBin = join(tmp, 'old-bin');
mkdirSync(oldBin);
writeFileSync(join(oldBin, 'node'), '#!/bin/sh\necho "the node first on PATH ran" >&2\nexit 3\n');
chmodSync(join(oldBin, 'node'), 0o755);
// Every node process started prints its version.
const report = join(tmp, 'report.mjs');
writeFileSync(report, "process.stderr.write(`runtime ${process.version}\\n`);\n");
const env = { ...process.env, BOSUN_NODE_PREFIX: prefix, NODE_OPTIONS: `--import=${pathToFileURL(report).href}` };
const runtimes = (stderr: string) => [...stderr.matchAll(/^runtime (v\S+)$/gm)].map((m) => m[1]);

test('bin/bosun.js started from a shell runs on the LTS prefix, not on the node first on PATH', () => {
  const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', env: { ...env, PATH: [oldBin, process.env.PATH].join(delimiter) } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), VERSION);
  assert.deepEqual(runtimes(r.stderr), [process.version], 'one node process, the prefix\'s');
});

/** A node older than 22 on this machine (Debian's /usr/bin/node, or one on PATH), if any. */
function olderNode(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const d of dirs) {
    const r = spawnSync(join(d, 'node'), ['-p', 'process.version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    if (r.status === 0 && major(r.stdout.trim()) < 22) return join(d, 'node');
  }
  return undefined;
}

const old = major(process.version) >= 22 ? olderNode() : undefined;
test('bin/bosun.js started by a node older than 22 re-runs itself on the LTS', { skip: old ? false : 'needs this test on Node >= 22 and an older node on the machine' }, () => {
  const r = spawnSync(old!, [BIN, '--version'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), VERSION, 'the version printed once, by the LTS');
  const seen = runtimes(r.stderr);
  assert.equal(seen.length, 2, r.stderr);
  assert.ok(major(seen[0]!) < 22);
  assert.equal(seen[1], process.version);
});

test('setup installs a Node LTS >= 22 where bin/bosun.js looks for it; package.json requires >= 22', () => {
  const script = readFileSync(join(ROOT, 'scripts/node-lts.sh'), 'utf8');
  const pinned = /^NODE_LTS_VERSION=(\d+)\.\d+\.\d+$/m.exec(script)?.[1];
  assert.ok(pinned && major(pinned) >= 22 && major(pinned) % 2 === 0, `pinned Node ${pinned} is an LTS line >= 22`);
  const defaultPrefix = /BOSUN_NODE_PREFIX:-([^}]+)\}/.exec(script)?.[1];
  assert.equal(defaultPrefix, '/opt/bosun/node');
  assert.ok(readFileSync(BIN, 'utf8').includes(`BOSUN_NODE_PREFIX:-${defaultPrefix}}`), 'bin/bosun.js looks in the same prefix');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, '>=22');
});
