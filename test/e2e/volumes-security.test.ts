/**
 * Pod volumes against the real binary, real containerd and the real kubectl 1.32:
 * - fsGroup (issue 11): upstream's own example (kubernetes/website release-1.29
 *   content/en/examples/pods/security/security-context.yaml) applied unchanged: the emptyDir is
 *   group 2000 with the setgid bit (`drwxrwsrwx`), `id` lists 2000, a new file there is group 2000
 *   (pkg/volume/volume_linux.go SetVolumeOwnership); a configMap volume's files get the group with
 *   defaultMode honoured, and a configMap key mounted by subPath still works.
 * - hostile volume paths (issue 13): a user's pod with an items path climbing out of the volume is
 *   refused 422 naming spec.volumes[0].configMap.items[0].path (validation.go
 *   validateLocalDescendingPath) and nothing is written on the host; a container that makes a
 *   symlink to / in an emptyDir cannot have the next container mount it by subPath (upstream's safe
 *   subpath): the container is not created, the pod says why, and nothing of the host is mounted.
 * Needs root and scripts/build-test-images.sh; `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { containerdPaths } from '../../src/agent/containerd/config.js';
import type { Pod } from '../../src/api/kinds/index.js';
import { StatusError } from '../../src/api/status.js';
import { issueClientCertificate, type Pki } from '../../src/apiserver/pki/pki.js';
import { KubeClient } from '../../src/client/index.js';
import { startNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { runKubectl } from '../../src/testing/test-cluster.js';

// kubernetes/website release-1.29, content/en/examples/pods/security/security-context.yaml, unchanged.
const UPSTREAM_SECURITY_CONTEXT = `apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
`;

const CM_FSGROUP = `
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {app.conf: "setting=1", other: "x"}
---
apiVersion: v1
kind: Pod
metadata: {name: cm-fsgroup}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, fsGroup: 2000}
  volumes: [{name: cfg, configMap: {name: app-config, defaultMode: 0440}}]
  containers:
  - name: c
    image: bosun.test/busybox:1
    command: [sleep, "3600"]
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: cfg, mountPath: /etc/app.conf, subPath: app.conf}
`;

const SUBPATH_ESCAPE = `
apiVersion: v1
kind: Pod
metadata: {name: subpath-escape}
spec:
  terminationGracePeriodSeconds: 1
  # No kube-api-access volume: its tmpfs would be the pod's one mount, and the test asserts none.
  automountServiceAccountToken: false
  volumes: [{name: shared, emptyDir: {}}]
  initContainers:
  - name: plant
    image: bosun.test/busybox:1
    command: [sh, -c, 'ln -s / /shared/escape']
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: reader
    image: bosun.test/busybox:1
    command: [sh, -c, 'cat /host/MARKER; sleep 3600']
    volumeMounts: [{name: shared, mountPath: /host, subPath: escape}]
`;

const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));

describe('pod volumes: fsGroup and hostile paths', { timeout: 240_000 }, () => {
  let node: NodeServer;
  let hostDir: string;

  before(async () => {
    node = await startNodeServer();
    hostDir = `/tmp/${node.prefix}-host`;
    mkdirSync(hostDir);
    // The upstream manifest names busybox:1.28; the node has no registry, so the test image gets that name too.
    const socket = containerdPaths(join(node.dataDir, 'node', 'containerd')).socket;
    execFileSync('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'tag', 'bosun.test/busybox:1', 'docker.io/library/busybox:1.28']);
  });
  after(async () => {
    try {
      const { leftovers } = await node.stop();
      assert.deepEqual(leftovers.mounts, [], 'no mount left (subPath bind mounts included)');
    } finally {
      await node?.forceCleanup();
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  const getPod = async (name: string): Promise<Pod> => JSON.parse(await node.k('get', 'pod', name, '-o', 'json')) as Pod;
  const running = async (name: string) => waitFor(`pod ${name} Running`, async () => (await getPod(name)).status?.phase === 'Running', 60_000);
  const sh = (pod: string, script: string) => node.k('exec', pod, '--', 'sh', '-c', script);

  it("upstream's security-context example: the emptyDir is group 2000 with setgid, and files made there too", async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: UPSTREAM_SECURITY_CONTEXT });
    assert.equal(r.code, 0, r.stderr);
    await running('security-context-demo');
    assert.match(await sh('security-context-demo', 'ls -ld /data/demo'), /^drwxrwsrwx\s+\d+\s+\S+\s+2000\s/);
    const id = await sh('security-context-demo', 'id');
    assert.match(id, /^uid=1000 gid=3000 groups=(\S*,)?2000\b/);
    const made = await sh('security-context-demo', 'cd /data/demo && echo hello > testfile && ls -ln testfile');
    assert.match(made, /^-\S+\s+\d+\s+1000\s+2000\s/);
  });

  it('configMap files get the fsGroup with defaultMode honoured; a key mounted by subPath works', async () => {
    const r = await node.kubectl(['apply', '-f', '-'], { input: CM_FSGROUP });
    assert.equal(r.code, 0, r.stderr);
    await running('cm-fsgroup');
    // 0440 root-owned: user 1000 reads it only through the group.
    assert.equal((await sh('cm-fsgroup', 'stat -L -c "%a %g" /etc/cfg/app.conf && cat /etc/cfg/app.conf')).trim(), '440 2000\nsetting=1');
    assert.equal((await sh('cm-fsgroup', 'cat /etc/app.conf')).trim(), 'setting=1');
  });

  it("a user's pod whose configMap item path climbs out of the volume is refused 422 and writes nothing", async () => {
    const caDir = join(node.dataDir, 'pki');
    const ca = { cert: readFileSync(join(caDir, 'ca.crt'), 'utf8'), key: readFileSync(join(caDir, 'ca.key'), 'utf8') };
    const user = issueClientCertificate({ ca } as Pki, 'mallory', []);
    // mallory may create pods in default (RBAC's edit), so what refuses the pod is validation.
    const rb = await node.kubectl(['create', 'rolebinding', 'mallory-edit', '--clusterrole=edit', '--user=mallory', '-n', 'default']);
    assert.equal(rb.code, 0, rb.stderr);
    const pwned = `${hostDir}/pwned`;
    const climb = `${'../'.repeat(16)}${pwned.slice(1)}`;
    const attack = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'climber', namespace: 'default' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'app.conf', path: climb }] } }],
        containers: [{ name: 'c', image: 'bosun.test/busybox:1', command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
      },
    };
    const client = new KubeClient({ server: node.url, ca: readFileSync(join(caDir, 'ca.crt'), 'utf8'), cert: user.cert, key: user.key });
    try {
      const err = await client.pods('default').create(attack).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof StatusError, `refused, not created: ${String(err)}`);
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.deepEqual(err.status.details?.causes?.map((c) => c.field), ['spec.volumes[0].configMap.items[0].path']);
    } finally {
      client.close();
    }
    // The same through kubectl with mallory's kubeconfig.
    const kubeconfig = join(node.dataDir, 'mallory.kubeconfig');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'm',
      clusters: [{ name: 'c', cluster: { server: node.url, 'certificate-authority-data': b64(ca.cert) } }],
      users: [{ name: 'mallory', user: { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) } }],
      contexts: [{ name: 'm', context: { cluster: 'c', user: 'mallory' } }],
    }));
    const k = await runKubectl(kubeconfig, join(node.dataDir, 'mallory-cache'), ['create', '-f', '-'], { input: JSON.stringify(attack) });
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /The Pod "climber" is invalid: spec\.volumes\[0\]\.configMap\.items\[0\]\.path: Invalid value: ".*": must not contain '\.\.'/);
    assert.equal((await node.kubectl(['get', 'pod', 'climber'])).code, 1, 'no such pod');
    assert.equal(existsSync(pwned), false, 'nothing written on the host');
  });

  it('a symlink to / planted in an emptyDir does not let the next container mount the host by subPath', async () => {
    writeFileSync(join(hostDir, 'MARKER'), 'host file');
    const marker = `${hostDir.slice(1)}/MARKER`;
    const r = await node.kubectl(['apply', '-f', '-'], { input: SUBPATH_ESCAPE.replace('/host/MARKER', `/host/${marker}`) });
    assert.equal(r.code, 0, r.stderr);
    const waiting = await waitFor('the reader to be refused', async () => {
      const w = (await getPod('subpath-escape')).status?.containerStatuses?.find((c) => c.name === 'reader')?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' && w;
    }, 60_000);
    assert.equal(waiting.message, 'failed to prepare subPath for volumeMount "shared" of container "reader"');
    const events = JSON.parse(await node.k('get', 'events', '--field-selector', 'involvedObject.name=subpath-escape', '-o', 'json')) as { items: { reason: string; message: string }[] };
    assert.ok(events.items.some((e) => e.reason === 'Failed' && e.message.includes('failed to prepare subPath')), JSON.stringify(events.items.map((e) => e.message)));
    const pod = await getPod('subpath-escape');
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0, 'the symlink was planted');
    assert.deepEqual(mountsUnder(node.dataDir).filter((m) => m.includes(pod.metadata!.uid!)), [], 'nothing of the host bind-mounted for the pod');
  });
});
