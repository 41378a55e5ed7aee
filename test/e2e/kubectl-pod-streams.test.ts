/**
 * kubectl logs / exec / port-forward end to end: real kubectl 1.32 -> API server (node-proxy) ->
 * node agent server (mutual TLS with the cluster CA) -> a private containerd's CRI and streaming
 * server. The pod's sandbox and containers are made directly through the runtime and described by a
 * Pod object whose status says Running, so these tests do not depend on the pod lifecycle.
 * Needs root, containerd, runc, CNI plugins and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgentServer, type AgentServer } from '../../src/agent/server/agent-server.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../../src/agent/testing/private-containerd.js';
import type { ContainerConfig, PodSandboxConfig } from '../../src/agent/runtime/types.js';
import { issueCertificate } from '../../src/apiserver/pki/certs.js';
import { systemContext } from '../../src/apiserver/server.js';
import { KUBECTL, startTestServer, type TestServer } from '../../src/testing/test-cluster.js';
import { assertNoStreamFallback, kubectlStream, STREAM_VERBOSITY } from '../../src/testing/kubectl-streams.js';
import type { ApiServer } from '../../src/apiserver/server.js';
import { eventuallyWith } from '../../src/testing/eventually.js';

const eventually = eventuallyWith({ timeoutMs: 20_000, intervalMs: 50 });

let tc: TestContainerd;
let ts: TestServer & { server: ApiServer };
let agent: AgentServer;
const POD = 'streams';
const UID = `uid-${process.pid}-${Date.now()}`;
let sandboxConfig: PodSandboxConfig;
let sandboxId: string;
const ids: Record<string, string> = {};



function container(name: string, attempt: number, extra: Partial<ContainerConfig>): ContainerConfig {
  return { metadata: { name, attempt }, image: BUSYBOX_IMAGE, logPath: `${name}/${attempt}.log`, ...extra };
}

async function runContainer(c: ContainerConfig): Promise<string> {
  const id = await tc.cri.createContainer(sandboxId, c, sandboxConfig);
  await tc.cri.startContainer(id);
  return id;
}

/** Starts kubectl with a long-lived output (logs -f, attach, port-forward); `err` is its stderr alone. */
function spawnKubectl(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams & { out: () => string; err: () => string } {
  const child = spawn(KUBECTL, ['--kubeconfig', ts.kubeconfig, ...args], { env: { ...process.env, HOME: ts.dataDir, ...env } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    err += d;
  });
  return Object.assign(child, { out: () => out, err: () => err });
}

/** exec, cp and attach must use the WebSocket protocols (kubectl's SPDY fallback fails the test). */
const stream = (args: string[], input?: string) => kubectlStream(ts, args, { input });

describe('kubectl logs, exec and port-forward through the node agent', () => {
  before(async () => {
    tc = await startTestContainerd();
    ts = await startTestServer();
    const pki = ts.server.pki;
    const serving = issueCertificate({ commonName: 'system:node:n1', organizations: ['system:nodes'], usage: 'server', dnsNames: ['n1'], ips: ['127.0.0.1'], validDays: 1 }, pki.ca);
    agent = await startAgentServer({ runtime: tc.cri, port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: pki.ca.cert } });

    const nodes = ts.server.storage('', 'v1', 'nodes')!;
    await nodes.create(systemContext(), undefined, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agent.port } } },
    } as never);

    sandboxConfig = {
      metadata: { name: POD, namespace: 'default', uid: UID, attempt: 0 },
      hostname: POD,
      logDirectory: `${tc.dir}/logs/${UID}`,
      cgroupParent: `${tc.cgroupRoot}/pod${UID}`,
    };
    sandboxId = await tc.cri.runPodSandbox(sandboxConfig);
    // "app" restarted once: attempt 0 exited, attempt 1 runs and logs more when /tmp/go appears.
    // stdout and stderr are separate pipes that the runtime copies to the log concurrently: the pause
    // before the stderr line is what fixes its place in the log.
    const first = await runContainer(container('app', 0, { command: ['sh', '-c', 'echo previous-run; exit 3'] }));
    await eventually(async () => (await tc.cri.containerStatus(first)).state === 'CONTAINER_EXITED', 'first app instance to exit');
    ids.app = await runContainer(container('app', 1, {
      command: ['sh', '-c', 'echo one; echo two; sleep 0.5; echo three >&2; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo four; exec sleep 3600'],
    }));
    ids.side = await runContainer(container('side', 0, { command: ['sh', '-c', 'echo side-hello; exec sleep 3600'] }));
    ids.web = await runContainer(container('web', 0, {}));
    // Waits for a line on its own stdin (for attach).
    ids.talk = await runContainer(container('talk', 0, { stdin: true, command: ['sh', '-c', 'read l; echo "got $l"; echo bye >&2; exec sleep 3600'] }));

    const pods = ts.server.storage('', 'v1', 'pods')!;
    await pods.create(systemContext(), 'default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: POD, namespace: 'default' },
      spec: { nodeName: 'n1', containers: [...['app', 'side', 'web'].map((name) => ({ name, image: BUSYBOX_IMAGE })), { name: 'talk', image: BUSYBOX_IMAGE, stdin: true }] },
    } as never);
    const p = await pods.get(systemContext(), 'default', POD);
    await pods.update(systemContext(), 'default', POD, { ...p, status: { ...(p as { status?: object }).status, phase: 'Running' } } as never, 'status');
    // The app's first lines are in its log before the tests read it.
    await eventually(async () => (await ts.kubectl(['logs', POD, '-c', 'app'])).stdout.includes('three'), 'app output');
  });

  after(async () => {
    await agent?.close();
    await ts?.stop();
    await tc?.teardown();
  });

  describe('logs', () => {
    it('prints the container log, stdout and stderr interleaved as written', async () => {
      const r = await ts.kubectl(['logs', POD, '-c', 'app']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'one\ntwo\nthree\n');
    });

    it('--tail keeps the last lines', async () => {
      const r = await ts.kubectl(['logs', POD, '-c', 'app', '--tail=1']);
      assert.equal(r.stdout, 'three\n');
      assert.equal((await ts.kubectl(['logs', POD, '-c', 'app', '--tail=0'])).stdout, '');
    });

    it('--timestamps prefixes RFC3339 times with nine fractional digits, as kubelet', async () => {
      const r = await ts.kubectl(['logs', POD, '-c', 'app', '--timestamps']);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 3);
      for (const [i, word] of ['one', 'two', 'three'].entries()) {
        assert.match(lines[i]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) ${word}$`));
      }
    });

    it('-c picks the container; --previous shows the instance before the restart', async () => {
      assert.equal((await ts.kubectl(['logs', POD, '-c', 'side'])).stdout, 'side-hello\n');
      const prev = await ts.kubectl(['logs', POD, '-c', 'app', '--previous']);
      assert.equal(prev.code, 0, prev.stderr);
      assert.equal(prev.stdout, 'previous-run\n');
      const none = await ts.kubectl(['logs', POD, '-c', 'side', '--previous']);
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /previous terminated container "side" in pod "streams" not found/);
    });

    it('refuses a container the pod does not have, as kube-apiserver', async () => {
      const r = await ts.kubectl(['logs', POD, '-c', 'nope']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /container nope is not valid for pod streams/);
    });

    it('-f streams lines written after it started', async () => {
      const k = spawnKubectl(['logs', '-f', POD, '-c', 'app']);
      try {
        await eventually(() => k.out().includes('three\n'), 'the existing lines');
        assert.ok(!k.out().includes('four'));
        const r = await tc.cri.execSync(ids.app!, ['touch', '/tmp/go'], 10);
        assert.equal(r.exitCode, 0);
        await eventually(() => k.out().includes('four\n'), 'the new line');
        assert.equal(k.out(), 'one\ntwo\nthree\nfour\n');
        assert.equal(k.exitCode, null, 'still following');
      } finally {
        k.kill('SIGKILL');
      }
    });
  });

  describe('exec', () => {
    it('runs a command: stdout, stderr and the exit code come back', async () => {
      const r = await stream(['exec', POD, '-c', 'side', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 7/);
      assert.equal(r.code, 7);
      const ok = await stream(['exec', POD, '-c', 'side', '--', 'cat', '/www/index.html']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'bosun test page\n');
    });

    it('carries large output intact', async () => {
      const r = await stream(['exec', POD, '-c', 'side', '--', 'sh', '-c', 'head -c 10000000 /dev/zero | tr "\\0" a']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 10_000_000);
      assert.match(r.stdout, /^a+$/);
    });

    it('-i feeds stdin and closes it at end of input (v5 close signal)', async () => {
      const r = await stream(['exec', '-i', POD, '-c', 'side', '--', 'sh', '-c', 'wc -c; cat >/tmp/in; echo done'], 'hello stdin\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split(/\s+/).join(' '), '12 done');
      const again = await stream(['exec', '-i', POD, '-c', 'side', '--', 'cat'], 'x'.repeat(200_000));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout.length, 200_000);
    });

    it('kubectl cp copies a file in and out (tar over exec stdin/stdout)', async () => {
      const local = join(ts.dataDir, 'cp-src.txt');
      writeFileSync(local, 'copied through exec\n');
      const up = await stream(['cp', local, `${POD}:/tmp/cp-dst.txt`, '-c', 'side']);
      assert.equal(up.code, 0, up.stderr);
      assert.equal((await stream(['exec', POD, '-c', 'side', '--', 'cat', '/tmp/cp-dst.txt'])).stdout, 'copied through exec\n');
      const back = join(ts.dataDir, 'cp-back.txt');
      const down = await stream(['cp', `${POD}:/tmp/cp-dst.txt`, back, '-c', 'side']);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(readFileSync(back, 'utf8'), 'copied through exec\n');
    });

    it('-it runs with a terminal', async () => {
      // `script` gives kubectl a pseudo-terminal, as a user's shell would.
      // Its size reaches the container through the resize channel, shortly after the command starts
      // (as with kubelet, the first resize races the command: poll until it has arrived).
      const inner = 'tty; for i in 1 2 3 4 5 6 7 8 9 10; do stty size >/tmp/sz 2>/dev/null; grep -q [1-9] /tmp/sz && break; sleep 0.2; done; echo size $(cat /tmp/sz); exit 3';
      // kubectl's log goes to a file of its own: through the terminal it would mix with the output.
      const log = join(ts.dataDir, 'exec-it.log');
      const cmd = `stty cols 91 rows 37; ${KUBECTL} --kubeconfig ${ts.kubeconfig} ${STREAM_VERBOSITY} exec -it ${POD} -c side -- sh -c '${inner}' 2>${log}`;
      const r = await new Promise<{ out: string; code: number | null }>((resolve) => {
        const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, HOME: ts.dataDir } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.stdin.end();
        child.once('close', (code) => resolve({ out, code }));
      });
      assert.match(r.out, /\/dev\/pts\/\d+/);
      // (script turns its own end of input into a control character, echoed by the terminal as ^@.)
      assert.match(r.out, /size 37 91\r\n/);
      assert.equal(r.code, 3, r.out);
      assertNoStreamFallback(readFileSync(log, 'utf8'), 'kubectl exec -it');
    });

    it('attach -i talks to the main process: its stdin, then its output', async () => {
      const k = spawnKubectl([STREAM_VERBOSITY, 'attach', '-i', POD, '-c', 'talk']);
      try {
        // The process answers only once the line arrives, which it can only do through the attach.
        k.stdin.write('hi there\n');
        await eventually(() => k.out().includes('got hi there\n'), 'the answer');
        await eventually(() => k.out().includes('bye\n'), 'stderr too');
        assertNoStreamFallback(k.err(), 'kubectl attach');
      } finally {
        k.kill('SIGKILL');
      }
    });

    it('fails cleanly for a container that does not run', async () => {
      const r = await ts.kubectl(['exec', POD, '-c', 'nope', '--', 'true']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /container nope is not found in pod streams|container nope is not valid/);
    });

    it('also works over the SPDY fallback (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false)', async () => {
      const env = { ...process.env, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', HOME: ts.dataDir };
      const r = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
        const child = spawn(KUBECTL, ['--kubeconfig', ts.kubeconfig, '-v=6', 'exec', '-i', POD, '-c', 'side', '--', 'sh', '-c', 'cat; exit 5'], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.stdin.end('via spdy\n');
        child.once('close', (code) => resolve({ stdout, stderr, code }));
      });
      assert.equal(r.stdout, 'via spdy\n');
      assert.equal(r.code, 5, r.stderr);
      assert.doesNotMatch(r.stderr, /v5\.channel\.k8s\.io/);
    });
  });

  describe('port-forward', () => {
    /** Forwards a port and fetches the page through it three times; returns kubectl's stderr. */
    async function forward(env: NodeJS.ProcessEnv = {}): Promise<string> {
      const k = spawnKubectl([STREAM_VERBOSITY, 'port-forward', `pod/${POD}`, ':8080'], env);
      const out = k.out;
      try {
        const port = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out())?.[1], 'the forwarding line');
        for (let i = 0; i < 3; i++) {
          const curl = await new Promise<{ out: string; code: number | null }>((resolve) => {
            const c = spawn('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${port}/index.html`]);
            let o = '';
            c.stdout.on('data', (d) => (o += d));
            c.stderr.on('data', (d) => (o += d));
            c.once('close', (code) => resolve({ out: o, code }));
          });
          assert.equal(curl.code, 0, `${curl.out}\n${out()}`);
          assert.equal(curl.out, 'bosun test page\n');
        }
        return k.err();
      } finally {
        k.kill('SIGKILL');
      }
    }

    it('forwards a local port to the pod over the WebSocket tunnel; curl gets the page', async () => {
      assertNoStreamFallback(await forward(), 'kubectl port-forward');
    });

    it('also works over the plain SPDY fallback (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)', async () => {
      await forward({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    });
  });
});
