/**
 * Upstream's conformance tests of the volumes the node makes itself, on real containers (one
 * compiled `bosun server` and its node for the file, tests in parallel): test/e2e/common/storage/
 * configmap_volume.go, secrets_volume.go, downwardapi_volume.go, projected_*.go and empty_dir.go,
 * and test/e2e/storage/subpath.go's Atomic writer volumes (subPath mounts of those volumes' files).
 * Upstream names them [sig-storage]; the node (the kubelet's volume plugins) is what they test.
 * agnhost `mounttest` is a busybox shell function printing its lines in mounttest's format:
 * `content of file "P": ...` (--file_content), `mode of file "P": -rw-r--r--` (--file_mode, the
 * target of the atomic writer's symlink), `perms of file "P": ...` (--file_perm, permission bits),
 * `mount type of "P": tmpfs` (--fs_type); --file_content_in_loop is a loop printing the file
 * every second. Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, Volume } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  BUSYBOX, execIn, expectContainerOutput, isRunningReady, SLEEP_FOREVER, uniqueName, useConformanceNode, waitForPod,
  CONCURRENCY,
} from './conformance-node-harness.js';
import { b64, expectUpdate, makeConfigMap, makeSecret, mounts, mounttest, podWith } from './conformance-node-volumes-harness.js';
import { objectVolumeConformanceTests } from './conformance-node-volumes-objects.js';

describe('[sig-storage] conformance: node volumes', { concurrency: CONCURRENCY, timeout: 300_000 }, () => {
  const ctx = useConformanceNode('cf-node-vol');
  const output = (pod: Pod, expected: (string | RegExp)[]) => expectContainerOutput(ctx(), pod, expected);

  // configmap_volume.go, secrets_volume.go, projected_*.go: conformance-node-volumes-objects.ts.
  objectVolumeConformanceTests(ctx);

  // downwardapi_volume.go and projected_downwardapi.go (the same items in a projected volume's
  // downwardAPI source)
  const podinfo = (items: object[], defaultMode?: number): Volume => ({ name: 'podinfo', downwardAPI: { items: items as never, defaultMode } });
  const projected = (sources: object[], defaultMode?: number): Volume => ({ name: 'podinfo', projected: { sources: sources as never, defaultMode } });
  const field = (path: string, fieldPath: string, mode?: number) => ({ path, fieldRef: { apiVersion: 'v1', fieldPath }, mode });
  const res = (path: string, resource: string) => ({ path, resourceFieldRef: { containerName: 'client-container', resource } });
  const allItems = () => [field('podname', 'metadata.name'), res('cpu_limit', 'limits.cpu'), res('cpu_request', 'requests.cpu'), res('memory_limit', 'limits.memory'), res('memory_request', 'requests.memory')];
  const dapiPod = (steps: string[], o: { defaultMode?: number; itemMode?: number; resources?: boolean; projectedVol?: boolean } = {}) => {
    const items = allItems();
    if (o.itemMode !== undefined) items[0] = field('podname', 'metadata.name', o.itemMode);
    return podWith('downwardapi-volume', [o.projectedVol ? projected([{ downwardAPI: { items } }], o.defaultMode) : podinfo(items, o.defaultMode)], {
      name: 'client-container', command: mounttest(...steps), volumeMounts: mounts(['podinfo', '/etc/podinfo']),
      ...(o.resources ? { resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '1250m', memory: '64Mi' } } } : {}),
    });
  };

  it('[sig-storage] Downward API volume should provide podname only [NodeConformance] [Conformance]', async () => {
    const pod = dapiPod(['content /etc/podinfo/podname']);
    await output(pod, [`${pod.metadata.name}\n`]);
  });
  for (const [sig, projectedVol] of [['Downward API volume', false], ['Projected downwardAPI', true]] as const) {
    it(`[sig-storage] ${sig} should set DefaultMode on files [LinuxOnly] [NodeConformance] [Conformance]`, async () => {
      await output(dapiPod(['mode /etc/podinfo/podname'], { defaultMode: 0o400, projectedVol }), ['mode of file "/etc/podinfo/podname": -r--------']);
    });
    it(`[sig-storage] ${sig} should set mode on item file [LinuxOnly] [NodeConformance] [Conformance]`, async () => {
      await output(dapiPod(['mode /etc/podinfo/podname'], { itemMode: 0o400, projectedVol }), ['mode of file "/etc/podinfo/podname": -r--------']);
    });
    for (const [what, file, value] of [['cpu limit', 'cpu_limit', '2'], ['memory limit', 'memory_limit', '67108864'], ['cpu request', 'cpu_request', '1'], ['memory request', 'memory_request', '33554432']] as const) {
      it(`[sig-storage] ${sig} should provide container's ${what} [NodeConformance] [Conformance]`, async () => {
        await output(dapiPod([`content /etc/podinfo/${file}`], { resources: true, projectedVol }), [`${value}\n`]);
      });
    }
    for (const what of ['cpu', 'memory'] as const) {
      it(`[sig-storage] ${sig} should provide node allocatable (${what}) as default ${what} limit if the limit is not set [NodeConformance] [Conformance]`, async () => {
        await output(dapiPod([`content /etc/podinfo/${what}_limit`], { projectedVol }), [new RegExp(`content of file "/etc/podinfo/${what}_limit": [1-9]`)]);
      });
    }
  }

  const updateCase = (title: string, volume: (items: object[]) => Volume, kind: 'labels' | 'annotations'): void => {
    it(title, async () => {
      const c = ctx();
      const meta = kind === 'labels' ? { labels: { key1: 'value1', key2: 'value2' } } : { annotations: { builder: 'bar' } };
      const pod = podWith(`${kind}update`, [volume([field(kind, `metadata.${kind}`)])], { name: 'client-container', command: mounttest(`loop /etc/podinfo/${kind}`), volumeMounts: mounts(['podinfo', '/etc/podinfo']) }, { restartPolicy: 'Always' }, meta);
      const name = pod.metadata.name!;
      const patch = kind === 'labels' ? { metadata: { labels: { key3: 'value3' } } } : { metadata: { annotations: { builder: 'foo' } } };
      await expectUpdate(c, pod, kind === 'labels' ? 'key1="value1"\n' : 'builder="bar"\n', () => c.client.pods(c.ns).patch(name, 'merge', patch), kind === 'labels' ? 'key3="value3"\n' : 'builder="foo"\n');
    });
  };
  updateCase('[sig-storage] Downward API volume should update labels on modification [NodeConformance] [Conformance]', (items) => podinfo(items), 'labels');
  updateCase('[sig-storage] Downward API volume should update annotations on modification [NodeConformance] [Conformance]', (items) => podinfo(items), 'annotations');

  // projected_*.go
  updateCase('[sig-storage] Projected downwardAPI should update labels on modification [NodeConformance] [Conformance]', (items) => projected([{ downwardAPI: { items } }]), 'labels');
  updateCase('[sig-storage] Projected downwardAPI should update annotations on modification [NodeConformance] [Conformance]', (items) => projected([{ downwardAPI: { items } }]), 'annotations');

  it('[sig-storage] Projected downwardAPI should provide podname only [NodeConformance] [Conformance]', async () => {
    const pod = podWith('downwardapi-volume', [projected([{ downwardAPI: { items: [field('podname', 'metadata.name')] } }])], { command: mounttest('content /etc/podinfo/podname'), volumeMounts: mounts(['podinfo', '/etc/podinfo']) });
    await output(pod, [`${pod.metadata.name}\n`]);
  });

  it('[sig-storage] Projected combined should project all components that make up the projection API [Projection] [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const cm = await makeConfigMap(c, 'configmap-projected-all-test-volume');
    const secret = await makeSecret(c, 'secret-projected-all-test-volume');
    const pod = podWith('projected-volume', [{ name: 'podinfo', projected: { sources: [
      { downwardAPI: { items: [field('podname', 'metadata.name')] } },
      { secret: { name: secret, items: [{ key: 'data-1', path: 'secret-data' }] } },
      { configMap: { name: cm, items: [{ key: 'data-1', path: 'configmap-data' }] } },
    ] } }], { command: mounttest('content /all/podname', 'content /all/secret-data', 'content /all/configmap-data'), volumeMounts: mounts(['podinfo', '/all']) });
    await output(pod, [`${pod.metadata.name}\n`, 'secret-data": value-1\n', 'configmap-data": value-1\n']);
  });

  // empty_dir.go
  const emptyDirCase = (user: 'root' | 'non-root', perm: '0644' | '0666' | '0777', medium: 'default' | 'tmpfs'): void => {
    it(`[sig-storage] EmptyDir volumes should support (${user},${perm},${medium}) [LinuxOnly] [NodeConformance] [Conformance]`, async () => {
      const f = '/test-volume/test-file';
      const modes = { '0644': '-rw-r--r--', '0666': '-rw-rw-rw-', '0777': '-rwxrwxrwx' };
      const expected = [`perms of file "${f}": ${modes[perm]}`, `content of file "${f}": mount-tester new file`, ...(medium === 'tmpfs' ? ['mount type of "/test-volume": tmpfs'] : [])];
      await output(podWith('pod', [{ name: 'test-volume', emptyDir: medium === 'tmpfs' ? { medium: 'Memory' } : {} }], {
        command: mounttest('fstype /test-volume', `echo 'mount-tester new file' > ${f}`, `chmod ${perm} ${f}`, `perms ${f}`, `content ${f}`), volumeMounts: mounts(['test-volume', '/test-volume']),
      }, user === 'non-root' ? { securityContext: { runAsUser: 1001 } } : {}), expected);
    });
  };
  // Upstream's twelve (user, mode, medium) combinations.
  for (const user of ['root', 'non-root'] as const) for (const perm of ['0644', '0666', '0777'] as const) for (const medium of ['default', 'tmpfs'] as const) emptyDirCase(user, perm, medium);

  for (const medium of ['tmpfs', 'default medium'] as const) {
    it(`[sig-storage] EmptyDir volumes volume on ${medium} should have the correct mode [LinuxOnly] [NodeConformance] [Conformance]`, async () => {
      await output(podWith('pod', [{ name: 'test-volume', emptyDir: medium === 'tmpfs' ? { medium: 'Memory' } : {} }], { command: mounttest('fstype /test-volume', 'perms /test-volume'), volumeMounts: mounts(['test-volume', '/test-volume']) }),
        ['perms of file "/test-volume": -rwxrwxrwx', ...(medium === 'tmpfs' ? ['mount type of "/test-volume": tmpfs'] : [])]);
    });
  }

  it('[sig-storage] EmptyDir volumes pod should support shared volumes between containers [Conformance]', async () => {
    const c = ctx();
    const pod = podWith('pod-sharedvolume', [{ name: 'shared-data', emptyDir: {} }], { name: 'busybox-main-container', command: SLEEP_FOREVER, volumeMounts: mounts(['shared-data', '/usr/share/volumeshare']) }, { restartPolicy: 'Always' });
    pod.spec!.containers.push({ name: 'busybox-sub-container', image: BUSYBOX, command: ['/bin/sh', '-c', 'echo Hello from the busy-box sub-container > /usr/share/volumeshare/shareddata.txt; exec sleep 3600'], volumeMounts: mounts(['shared-data', '/usr/share/volumeshare']) });
    await c.client.pods(c.ns).create(pod);
    await waitForPod(c, pod.metadata.name!, 'Running', isRunningReady);
    const out = await eventually(() => execIn(c, pod.metadata.name!, 'busybox-main-container', ['cat', '/usr/share/volumeshare/shareddata.txt']), 'the shared file', { timeoutMs: 20_000, intervalMs: 300, retryErrors: true });
    assert.equal(out, 'Hello from the busy-box sub-container\n');
    await c.client.pods(c.ns).delete(pod.metadata.name!);
  });

  // storage/empty_dir_wrapper.go: a Secret and a ConfigMap of one name (data-1, the ConfigMap's as
  // binaryData) in two volumes of one pod, the secret's read-only; upstream waits for the pod to run
  // (agnhost test-webserver), then deletes all three. Reading both files shows each volume is its own.
  it('[sig-storage] EmptyDir wrapper volumes should not conflict [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('emptydir-wrapper-test');
    await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { 'data-1': b64('value-1\n') } });
    await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, binaryData: { 'data-1': b64('value-1\n') } });
    const pod = podWith('pod-secrets', [{ name: 'secret-volume', secret: { secretName: name } }, { name: 'configmap-volume', configMap: { name } }],
      { name: 'secret-test', command: SLEEP_FOREVER, volumeMounts: [{ name: 'secret-volume', mountPath: '/etc/secret-volume', readOnly: true }, { name: 'configmap-volume', mountPath: '/etc/configmap-volume' }] }, { restartPolicy: 'Always' });
    await c.client.pods(c.ns).create(pod);
    await waitForPod(c, pod.metadata.name!, 'Running', isRunningReady);
    const read = await execIn(c, pod.metadata.name!, 'secret-test', ['cat', '/etc/secret-volume/data-1', '/etc/configmap-volume/data-1']);
    assert.equal(read, 'value-1\nvalue-1\n');
    await c.client.secrets(c.ns).delete(name);
    await c.client.configMaps(c.ns).delete(name);
    await c.client.pods(c.ns).delete(pod.metadata.name!, { gracePeriodSeconds: 0 });
  });

  // storage/subpath.go "Atomic writer volumes": one file of a configMap, secret, downwardAPI or
  // projected volume mounted alone by subPath at /test-volume (or over an existing file of the
  // image), as testsuites.SubpathTestPod after removeUnusedContainers (the init containers of the
  // other subPath tests carry no command here and are dropped) and TestBasicSubpathFile. Upstream's
  // reader is mounttest --file_content_in_loop for 20 s; one read is the same check.
  const subpathCase = (what: string, subPath: string, source: (names: { cm: string; secret: string }) => Omit<Volume, 'name'>, expected: (pod: string) => string, mountPath = '/test-volume'): void => {
    it(`[sig-storage] Subpath Atomic writer volumes should support subpaths with ${what} [Conformance]`, async () => {
      const c = ctx();
      const cm = uniqueName('my-configmap');
      const secret = uniqueName('my-secret');
      await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm }, data: { 'configmap-key': 'configmap-value' } });
      await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret }, data: { 'secret-key': b64('secret-value') } });
      const pod = podWith('pod-subpath-test', [{ name: 'test-volume', ...source({ cm, secret }) }],
        { name: 'test-container-subpath', command: mounttest(`content ${mountPath}`), volumeMounts: [{ name: 'test-volume', mountPath, subPath }] });
      await output(pod, [`content of file "${mountPath}": ${expected(pod.metadata.name!)}\n`]);
    });
  };
  subpathCase('secret pod', 'secret-key', ({ secret }) => ({ secret: { secretName: secret } }), () => 'secret-value');
  subpathCase('configmap pod', 'configmap-key', ({ cm }) => ({ configMap: { name: cm } }), () => 'configmap-value');
  subpathCase('configmap pod with mountPath of existing file', 'configmap-key', ({ cm }) => ({ configMap: { name: cm } }), () => 'configmap-value', '/etc/resolv.conf');
  subpathCase('downward pod', 'downward/podname', () => ({ downwardAPI: { items: [{ path: 'downward/podname', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] } }), (pod) => pod);
  subpathCase('projected pod', 'projected/configmap-key', ({ cm }) => ({ projected: { sources: [{ configMap: { name: cm, items: [{ key: 'configmap-key', path: 'projected/configmap-key' }] } }] } }), () => 'configmap-value');
});
