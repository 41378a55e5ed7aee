/**
 * Container log rotation and bounded termination messages on a real containerd, through the real
 * kubectl (API server -> agent server -> CRI log files), as the kubelet's
 * pkg/kubelet/logs/container_log_manager.go and tail.ReadAtMost: a container writing fast with a
 * small containerLogMaxSize has its log rotated (renamed, gzipped, the runtime asked to reopen it)
 * with the file count bounded by containerLogMaxFiles; a `kubectl logs -f` that started before the
 * first rotation reads every line across rotations; `kubectl logs` reads the current file; a 10 KB
 * termination message is cut to its last 4096 bytes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { eventually } from '../../testing/eventually.js';
import { KUBECTL } from '../../testing/test-cluster.js';
import type { AgentServer } from '../server/agent-server.js';
import type { AgentHarness } from '../testing/agent-harness.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';
import { startServedAgent } from '../testing/served-agent.js';

const MAX_SIZE = 16 * 1024;
const MAX_FILES = 3;
const LINES = 3000;
let tc: TestContainerd;
let h: AgentHarness;
let agentServer: AgentServer;
let cacheDir: string;

const status = (p: Pod) => p.status?.containerStatuses?.find((c) => c.name === 'app');
const logDir = (p: Pod) => join(h.dataDir, 'logs', `default_${p.metadata.name}_${p.metadata.uid}`, 'app');

/** `kubectl logs -f` as a child process whose output arrives as it is written. */
function follow(pod: string): { output: () => string; done: Promise<number> } {
  const child = spawn(KUBECTL, ['--kubeconfig', h.server.kubeconfig, '--cache-dir', cacheDir, 'logs', '-f', pod], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  return { output: () => out, done };
}

describe('container log rotation', { concurrency: false }, () => {
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
    cacheDir = join(mkdtempSync(join(tmpdir(), 'bosun-logrot-')), 'cache');
    ({ h, agentServer } = await startServedAgent(tc, { containerLogs: { maxSize: MAX_SIZE, maxFiles: MAX_FILES, monitorMs: 300 } }));
  });
  after(async () => {
    await agentServer?.close();
    await h?.stop();
    await tc?.teardown();
    if (cacheDir) rmSync(join(cacheDir, '..'), { recursive: true, force: true });
  });

  it('rotates a chatty container log, keeps at most maxFiles, and kubectl logs (-f) reads across rotations', async () => {
    // Waits for /tmp/go (so that the follower is attached before the first rotation), then writes
    // LINES numbered lines of ~100 bytes, 1 ms apart, and exits.
    const pad = 'x'.repeat(90);
    const script = `echo ready; while [ ! -e /tmp/go ]; do usleep 50000; done; i=0; while [ $i -lt ${LINES} ]; do echo "line $i ${pad}"; i=$((i+1)); usleep 1000; done`;
    const pod = await h.createPod('chatty', { restartPolicy: 'Never', containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', script] }] });
    const running = await h.waitPod('chatty', (p) => status(p)?.state?.running && p, 30_000);
    const f = follow('chatty');
    await eventually(() => /^ready$/m.test(f.output()), 'kubectl logs -f to print "ready"', 30_000);
    const id = status(running)!.containerID!.replace('containerd://', '');
    await tc.cri.execSync(id, ['touch', '/tmp/go'], 10);

    // While it writes, the directory never holds more than MAX_FILES files.
    let maxSeen = 0;
    let compressed = 0;
    await h.waitPod('chatty', (p) => {
      const files = readdirSync(logDir(pod));
      maxSeen = Math.max(maxSeen, files.filter((n) => !n.endsWith('.tmp')).length);
      compressed = Math.max(compressed, files.filter((n) => n.endsWith('.gz')).length);
      return status(p)?.state?.terminated;
    }, 120_000);
    assert.equal(await f.done, 0, f.output());

    const files = readdirSync(logDir(pod)).sort();
    assert.ok(maxSeen <= MAX_FILES, `at most ${MAX_FILES} files at once, saw ${maxSeen}`);
    assert.ok(files.length <= MAX_FILES && files.length >= 2, `files: ${files.join(' ')}`);
    assert.ok(compressed >= 1, `a rotated log was compressed: ${files.join(' ')}`);
    assert.match(files.join(' '), /^0\.log 0\.log\.\d{8}-\d{6}(\.gz)?/);
    const gz = files.find((n) => n.endsWith('.gz'));
    if (gz) assert.match(gunzipSync(readFileSync(join(logDir(pod), gz))).toString('utf8'), /^\S+ stdout F line \d+ x+$/m);

    // The follower saw every line, in order, across every rotation.
    const numbers = f.output().split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.split(' ')[1]));
    assert.equal(numbers.length, LINES, 'every line once');
    assert.ok(numbers.every((n, i) => n === i), 'in order, none lost');

    // kubectl logs reads the current (latest) file only, as upstream's: it ends with the last line
    // and starts after line 0. A rotation can land between the last line and the exit (the container
    // is still running), leaving the current file empty: the last line is then the newest rotated
    // file's, as on a kubelet.
    const r = await h.server.kubectl(['logs', 'chatty']);
    assert.equal(r.code, 0, r.stderr);
    const current = r.stdout.trim() === '' ? [] : r.stdout.trim().split('\n');
    if (current.length > 0) {
      assert.equal(current.at(-1), `line ${LINES - 1} ${pad}`);
      assert.notEqual(current[0], 'ready', 'the first lines were rotated away');
    } else {
      const newest = files.filter((n) => /^0\.log\.\d{8}-\d{6}$/.test(n)).sort().at(-1);
      assert.ok(newest, `an empty current log follows a plain rotated one: ${files.join(' ')}`);
      assert.match(readFileSync(join(logDir(pod), newest), 'utf8'), new RegExp(`stdout F line ${LINES - 1} x+\\n$`));
    }
  });

  it('cuts a 10 KB termination message to its last 4096 bytes', async () => {
    await h.createPod('term', {
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'head -c 10237 /dev/zero | tr "\\0" a > /dev/termination-log; printf END >> /dev/termination-log; exit 1'] }],
    });
    const term = await h.waitPod('term', (p) => status(p)?.state?.terminated, 30_000);
    assert.equal(term.exitCode, 1);
    assert.equal(term.message, `${'a'.repeat(4093)}END`);
  });
});
