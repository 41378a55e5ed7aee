/**
 * kubectl debug POD with ephemeral containers against a real single-node Bosun (the compiled `bosun
 * server`, real containers): the pods/ephemeralcontainers PATCH, the agent starting each new
 * ephemeral container once in the running sandbox, `--target` sharing the target container's PID
 * namespace (CRI NamespaceOption pid TARGET, as the kubelet's getTargetID), its state in
 * status.ephemeralContainerStatuses, logs and attach by name. Needs root and
 * scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { RawClient } from '../../src/testing/raw-client.js';
import { useNodeServer, waitFor } from '../../src/testing/node-server.js';
import { KUBECTL } from '../../src/testing/test-cluster.js';

const IMAGE = 'bosun.test/busybox:1';

const POD = `
apiVersion: v1
kind: Pod
metadata: {name: dbg-web}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: ${IMAGE}, command: [sleep, '3601']}]
`;

describe('kubectl debug with ephemeral containers', { timeout: 180_000 }, () => {
  const node = useNodeServer();
  const state = (name: string) => node().k('get', 'pod', 'dbg-web', '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state}`);
  const running = (name: string) => waitFor(`ephemeral container ${name} running`, async () => JSON.parse((await state(name)) || '{}').running !== undefined, 60_000, 300);

  test('--target: started once in the running pod, in the target\'s PID namespace, reported and logged', async () => {
    const n = node();
    const applied = await n.kubectl(['apply', '-f', '-'], { input: POD });
    assert.equal(applied.code, 0, applied.stderr);
    await n.k('wait', '--for=condition=Ready', 'pod/dbg-web', '--timeout=60s');
    const r = await n.kubectl(['debug', 'dbg-web', `--image=${IMAGE}`, '--target=app', '-c', 'debugger', '--', 'sh', '-c', 'ps; sleep 3600']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /Targeting container "app"/);
    await running('debugger');
    // The target's `sleep 3601` is PID 1 of the namespace the debugger sees.
    const ps = await waitFor('the debugger\'s ps output', async () => {
      const out = await n.k('logs', 'dbg-web', '-c', 'debugger');
      return out.includes('PID') ? out : undefined;
    }, 30_000, 300);
    assert.match(ps, /^\s*1\s+\S+\s+sleep 3601$/m, ps);
    const st = JSON.parse(await n.k('get', 'pod', 'dbg-web', '-o', 'jsonpath={.status.ephemeralContainerStatuses[0]}'));
    assert.equal(st.name, 'debugger');
    assert.equal(st.ready, false);
    assert.equal(st.restartCount, 0);
    assert.match(st.containerID, /^containerd:\/\//);
    // The pod's own status is untouched by it.
    assert.equal(await n.k('get', 'pod', 'dbg-web', '-o', 'jsonpath={.status.phase} {.status.conditions[?(@.type=="Ready")].status}'), 'Running True');
  });

  test('a second debug adds another; without --target it has a PID namespace of its own', async () => {
    const n = node();
    await n.k('debug', 'dbg-web', `--image=${IMAGE}`, '-c', 'debugger2', '--', 'sh', '-c', 'ps; sleep 3600');
    await running('debugger2');
    assert.equal(await n.k('get', 'pod', 'dbg-web', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'), 'debugger debugger2');
    const ps = await waitFor('debugger2\'s ps output', async () => {
      const out = await n.k('logs', 'dbg-web', '-c', 'debugger2');
      return out.includes('PID') ? out : undefined;
    }, 30_000, 300);
    assert.doesNotMatch(ps, /sleep 3601/);
    assert.equal(await state('debugger').then((s) => JSON.parse(s).running !== undefined), true);
  });

  test('one that exits is not restarted: terminated with restartCount 0', async () => {
    const n = node();
    await n.k('debug', 'dbg-web', `--image=${IMAGE}`, '-c', 'once', '--', 'sh', '-c', 'exit 3');
    const terminated = await waitFor('the once container terminated', async () => JSON.parse((await state('once')) || '{}').terminated, 60_000, 300);
    assert.equal(terminated.exitCode, 3);
    // A later sync (the next debug's) starts the new container and leaves the exited one exited.
    await n.k('debug', 'dbg-web', `--image=${IMAGE}`, '-c', 'later', '--', 'sleep', '3600');
    await running('later');
    const once = JSON.parse(await n.k('get', 'pod', 'dbg-web', '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="once")]}'));
    assert.equal(once.restartCount, 0);
    assert.equal(once.state.terminated?.exitCode, 3);
  });

  test('changing an existing ephemeral container is 422 naming spec.ephemeralContainers', async () => {
    const n = node();
    const raw = new RawClient(n.url, n.dataDir);
    const r = await raw.request('/api/v1/namespaces/default/pods/dbg-web/ephemeralcontainers', {
      method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/spec/ephemeralContainers/0/command', value: ['sh'] }]),
    });
    assert.equal(r.status, 422, r.body);
    assert.equal(r.json.details.causes[0].field, 'spec.ephemeralContainers');
    assert.match(r.json.message, /existing ephemeral containers "debugger" may not be changed/);
  });

  test('debug -i attaches to the new container: a line on its stdin, the answer on kubectl\'s stdout', async () => {
    // kubectl debug sets stdin but not stdinOnce: as containerd's attach, the output closes with
    // kubectl's stdin, so stdin stays open until the answer came back (a piped input that ends at
    // once races the answer, on upstream's runtime too). containerd 1.6's ContainerIO.Attach starts
    // copying stdin before it adds the attach to the stdout broadcast, so an answer to a line that
    // was waiting in the pipe can go out before anyone listens (CI, under load): the container
    // answers every line, and the line is sent again until its answer comes through the attach.
    const n = node();
    const args = ['--kubeconfig', n.kubeconfig, '--cache-dir', join(n.dataDir, 'kubectl-cache'), 'debug', 'dbg-web', '-i', `--image=${IMAGE}`, '-c', 'interactive', '--', 'sh', '-c', 'while read x; do echo got-$x; done'];
    const k = spawn(KUBECTL, args, { env: { ...process.env, HOME: n.dataDir } });
    let out = '';
    let err = '';
    k.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    k.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => k.once('exit', (code) => r(code)));
    try {
      k.stdin.write('hello\n');
      const again = setInterval(() => k.stdin.write('hello\n'), 1000);
      await waitFor('the answer through the attach', () => out.includes('got-hello\n'), 60_000, 200).catch((e: Error) => {
        throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
      }).finally(() => clearInterval(again));
      k.stdin.end();
      assert.equal(await exited, 0, err);
      assert.doesNotMatch(err, /couldn't attach/);
    } finally {
      k.kill('SIGKILL');
    }
  });

  test('debug -it: the new container runs with a terminal, attached through kubectl\'s', async () => {
    // `script` gives kubectl a pseudo-terminal, as a user's shell would; the line typed reaches the
    // container's terminal once kubectl has attached (it says so on its terminal first).
    const n = node();
    const cmd = `${KUBECTL} --kubeconfig ${n.kubeconfig} --cache-dir ${join(n.dataDir, 'kubectl-cache')} debug -it dbg-web --image=${IMAGE} --target=app -c tty -- sh -c 'read x; echo got-$x on $(tty)'`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, HOME: n.dataDir } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    try {
      await waitFor('kubectl attached', () => out.includes('If you don\'t see a command prompt'), 60_000, 200);
      child.stdin.write('hello\r');
      await waitFor('the answer on the terminal', () => /got-hello on \/dev\/pts\/\d+/.test(out), 30_000, 200).catch((e: Error) => {
        throw new Error(`${e.message}\n${out}`);
      });
      child.stdin.end();
      assert.equal(await exited, 0, out);
    } finally {
      child.kill('SIGKILL');
    }
  });

  // upstream's test/e2e/common/node/ephemeral_containers.go (v1.32: no pod generation checks yet).
  // The two upstream tests repeat the same first steps on a pod each; here the second continues on
  // the first's pod (same node, tests in order), from its "only one ephemeral container" check on.
  const EC_POD = 'ephemeral-containers-target-pod';
  const ecPath = `/api/v1/namespaces/default/pods/${EC_POD}/ephemeralcontainers`;

  test('[sig-node] Ephemeral Containers [NodeConformance] will start an ephemeral container in an existing pod [Conformance]', async () => {
    const n = node();
    const raw = new RawClient(n.url, n.dataDir);
    const created = await raw.request(`/api/v1/namespaces/default/pods`, { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: EC_POD }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'test-container-1', image: IMAGE, command: ['/bin/sleep'], args: ['10000'] }] } }) });
    assert.equal(created.status, 201, created.body);
    await n.k('wait', '--for=condition=Ready', `pod/${EC_POD}`, '--timeout=60s');
    // AddEphemeralContainerSync: a strategic merge patch of pods/ephemeralcontainers, then the container running.
    const ec = { name: 'debugger', image: IMAGE, command: ['/bin/sh', '-c', 'while true; do echo polo; sleep 2; done'], stdin: true, tty: true };
    const patched = await raw.request(ecPath, { method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: JSON.stringify({ spec: { ephemeralContainers: [ec] } }) });
    assert.equal(patched.status, 200, patched.body);
    const ecState = () => n.k('get', 'pod', EC_POD, '-o', 'jsonpath={.status.ephemeralContainerStatuses[?(@.name=="debugger")].state}');
    await waitFor('the ephemeral container running', async () => JSON.parse((await ecState()) || '{}').running !== undefined, 60_000, 300);
    // checking pod container endpoints: exec in it, and its log.
    assert.match(await n.k('exec', EC_POD, '-c', 'debugger', '--', '/bin/echo', 'marco'), /marco/);
    await waitFor('polo in the ephemeral container\'s log', async () => (await n.k('logs', EC_POD, '-c', 'debugger')).includes('polo'), 30_000, 300);
  });

  test('[sig-node] Ephemeral Containers [NodeConformance] should update the ephemeral containers in an existing pod [Conformance]', async () => {
    const n = node();
    const raw = new RawClient(n.url, n.dataDir);
    const count = async (): Promise<number> => {
      const got = await raw.request(ecPath);
      assert.equal(got.status, 200, got.body);
      return (got.json.spec.ephemeralContainers ?? []).length;
    };
    assert.equal(await count(), 1, 'only one ephemeral container');
    // UpdateEphemeralContainers (PUT of the subresource), retried on conflict as upstream.
    await waitFor('the update of ephemeral containers', async () => {
      const pod = (await raw.request(`/api/v1/namespaces/default/pods/${EC_POD}`)).json;
      pod.spec.ephemeralContainers.push({ name: 'debugger2', image: IMAGE, imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
      const put = await raw.request(ecPath, { method: 'PUT', body: JSON.stringify(pod) });
      if (put.status === 409) return false;
      assert.equal(put.status, 200, put.body);
      return true;
    }, 30_000, 100);
    assert.equal(await count(), 2, 'two ephemeral containers');
  });
});
