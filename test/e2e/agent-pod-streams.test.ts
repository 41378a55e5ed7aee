/**
 * kubectl logs / exec / port-forward on pods run by the real node agent (pod workers on a private
 * containerd): the agent server finds sandboxes and containers by the CRI metadata and log paths the
 * pod workers give them, and the API server finds the agent from the Node the agent registered.
 * Needs root, containerd, runc, CNI plugins and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import type { AgentServer } from '../../src/agent/server/agent-server.js';
import type { AgentHarness } from '../../src/agent/testing/agent-harness.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../../src/agent/testing/private-containerd.js';
import { startServedAgent } from '../../src/agent/testing/served-agent.js';
import { KUBECTL } from '../../src/testing/test-cluster.js';
import { assertNoStreamFallback, kubectlStream, STREAM_VERBOSITY } from '../../src/testing/kubectl-streams.js';

let tc: TestContainerd;
let h: AgentHarness;
let agentServer: AgentServer;

const status = (p: Pod, name: string) => p.status?.containerStatuses?.find((c) => c.name === name);

describe('kubectl streams on pods run by the node agent', () => {
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
    ({ h, agentServer } = await startServedAgent(tc, { crashBackoff: { initialMs: 200, maxMs: 400 } }));
  });
  after(async () => {
    await agentServer?.close();
    await h?.stop();
    await tc?.teardown();
  });

  it('logs of the running and the previous instance of a restarting container; exec; port-forward', async () => {
    await h.createPod('chatty', {
      containers: [
        { name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo "run $(cat /proc/uptime)"; sleep 4; exit 1'] },
        { name: 'web', image: BUSYBOX_IMAGE, ports: [{ containerPort: 8080 }] },
      ],
    });
    // Wait for a second instance to be running: while a container waits out its back-off, kubelet
    // serves the last terminated instance both as current and as --previous.
    await h.waitPod('chatty', (p) => (status(p, 'app')?.restartCount ?? 0) >= 1 && status(p, 'app')?.state?.running && status(p, 'web')?.ready && p, 60_000);
    const kubectl = (args: string[], input?: string) => h.server.kubectl(args, { input });

    const cur = await kubectl(['logs', 'chatty', '-c', 'app']);
    const prev = await kubectl(['logs', 'chatty', '-c', 'app', '--previous']);
    assert.equal(prev.code, 0, prev.stderr);
    assert.match(prev.stdout, /^run \d+/);
    assert.match(cur.stdout, /^run \d+/);
    assert.notEqual(prev.stdout, cur.stdout, 'two different instances');

    // Following the current instance ends when it exits (kubelet stops following a dead container).
    const follow = await h.server.kubectl(['logs', '-f', 'chatty', '-c', 'app'], { timeoutMs: 30_000 });
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stdout, /^run \d+/);

    // exec and port-forward must take the WebSocket path (kubectl's SPDY fallback fails the test).
    const ex = await kubectlStream(h.server, ['exec', 'chatty', '-c', 'web', '--', 'hostname']);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal(ex.stdout, 'chatty\n');
    const piped = await kubectlStream(h.server, ['exec', '-i', 'chatty', '-c', 'web', '--', 'sh', '-c', 'tr a-z A-Z; exit 4'], { input: 'shout\n' });
    assert.equal(piped.stdout, 'SHOUT\n');
    assert.equal(piped.code, 4);

    const k = spawn(KUBECTL, ['--kubeconfig', h.server.kubeconfig, STREAM_VERBOSITY, 'port-forward', 'pod/chatty', ':8080'], { env: { ...process.env, HOME: h.server.dataDir } });
    let out = '';
    let err = '';
    k.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    k.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      err += d;
    });
    try {
      let port: string | undefined;
      for (let i = 0; i < 400 && !port; i++) {
        port = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1];
        if (!port) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(port, out);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await res.text(), 'bosun test page\n');
      assertNoStreamFallback(err, 'kubectl port-forward');
    } finally {
      k.kill('SIGKILL');
    }
  });
});
