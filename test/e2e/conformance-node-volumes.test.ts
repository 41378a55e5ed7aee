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
import type { Container, Pod, Volume } from '../../src/api/kinds/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  BUSYBOX, execIn, expectContainerOutput, isRunningReady, podLogs, SLEEP_FOREVER, uniqueName, useConformanceNode, waitForPod, type NodeConformance,
  CONCURRENCY,
} from './conformance-node-harness.js';

const MOUNTTEST = [
  'content() { printf \'content of file "%s": %s\\n\' "$1" "$(cat "$1")"; }',
  // Go's FileMode.Perm(): the permission bits only (a tmpfs root's sticky bit is not shown).
  'rwx() { case $1 in 0) printf -- ---;; 1) printf -- --x;; 2) printf -- -w-;; 3) printf -- -wx;; 4) printf r--;; 5) printf r-x;; 6) printf rw-;; 7) printf rwx;; esac; }',
  'bits() { o=$(printf %03o $(( 0$(stat -L -c %a "$1") & 0777 ))); s=-; for d in $(echo "$o" | sed "s/./& /g"); do s=$s$(rwx $d); done; echo "$s"; }',
  'mode() { printf \'mode of file "%s": %s\\n\' "$1" "$(bits "$1")"; }',
  'perms() { printf \'perms of file "%s": %s\\n\' "$1" "$(bits "$1")"; }',
  'fstype() { printf \'mount type of "%s": %s\\n\' "$1" "$(stat -f -c %T "$1")"; }',
  'loop() { while :; do cat "$1" 2>/dev/null || echo "Error reading file $1, retrying"; echo; sleep 1; done; }',
].join('; ');
const mounttest = (...steps: string[]): string[] => ['sh', '-c', `${MOUNTTEST}; ${steps.join('; ')}`];

type Mount = NonNullable<Container['volumeMounts']>[number];
const podWith = (prefix: string, volumes: Volume[], container: Partial<Container>, spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName(prefix), ...meta },
  spec: { terminationGracePeriodSeconds: 1, restartPolicy: 'Never', volumes, containers: [{ name: 'test-container', image: BUSYBOX, ...container }], ...spec },
});
const mounts = (...m: [string, string][]): Mount[] => m.map(([name, mountPath]) => ({ name, mountPath }));
const b64 = (s: string) => Buffer.from(s).toString('base64');

async function makeConfigMap(c: NodeConformance, prefix = 'configmap-test-volume', extra: object = {}): Promise<string> {
  const name = uniqueName(prefix);
  await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { 'data-1': 'value-1', 'data-2': 'value-2', 'data-3': 'value-3' }, ...extra });
  return name;
}

async function makeSecret(c: NodeConformance, prefix = 'secret-test', ns = c.ns, value1 = 'value-1'): Promise<string> {
  const name = uniqueName(prefix);
  await c.client.secrets(ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { 'data-1': b64(value1), 'data-2': b64('value-2'), 'data-3': b64('value-3') } });
  return name;
}

/** A looping reader of `file` until its log shows `first`; then `change()`, until it shows `then`. */
async function expectUpdate(c: NodeConformance, pod: Pod, first: string, change: () => Promise<unknown>, then: string): Promise<void> {
  await c.client.pods(c.ns).create(pod);
  const name = pod.metadata.name!;
  await waitForPod(c, name, 'Running', isRunningReady);
  const logShows = (text: string) => eventually(async () => (await podLogs(c, name, pod.spec!.containers[0]!.name)).includes(text), `${name}'s log to show ${JSON.stringify(text)}`, { timeoutMs: 60_000, intervalMs: 500 });
  await logShows(first);
  await change();
  await logShows(then);
  await c.client.pods(c.ns).delete(name);
}

/**
 * The "optional updates" tests: three optional volumes (an object to delete, one to update, one to
 * create later) read in a loop by one container each; after `change`, the created one shows
 * value-1, the updated one `updated` in data-3, the deleted one read errors.
 */
async function optionalUpdates(c: NodeConformance, kind: 'configmap' | 'secret', source: (name: string) => Omit<Volume, 'name'>, names: { del: string; upd: string; create: string }, updated: string, change: () => Promise<void>): Promise<void> {
  const dir = `/etc/${kind}-volumes`;
  const files = { del: `${dir}/delete/data-1`, upd: `${dir}/update/data-3`, create: `${dir}/create/data-1` };
  const pod = podWith(`pod-${kind}s`, (['del', 'upd', 'create'] as const).map((k) => ({ name: `${k}-volume`, ...source(names[k]) })), {}, { restartPolicy: 'Always' });
  pod.spec!.containers = (['del', 'upd', 'create'] as const).map((k) => ({ name: `${k}-volume-test`, image: BUSYBOX, command: mounttest(`loop ${files[k]}`), volumeMounts: mounts([`${k}-volume`, files[k].replace(/\/data-\d$/, '')]) }));
  await c.client.pods(c.ns).create(pod);
  const name = pod.metadata.name!;
  await waitForPod(c, name, 'Running', isRunningReady);
  const logShows = (k: keyof typeof files, text: string) => eventually(async () => (await podLogs(c, name, `${k}-volume-test`)).includes(text), `${k}-volume-test to show ${text}`, { timeoutMs: 60_000, intervalMs: 500 });
  await logShows('create', `Error reading file ${files.create}, retrying`);
  await change();
  await logShows('create', 'value-1');
  await logShows('upd', updated);
  await logShows('del', `Error reading file ${files.del}, retrying`);
  await c.client.pods(c.ns).delete(name);
}

describe('[sig-storage] conformance: node volumes', { concurrency: CONCURRENCY, timeout: 300_000 }, () => {
  const ctx = useConformanceNode('cf-node-vol');
  const output = (pod: Pod, expected: (string | RegExp)[]) => expectContainerOutput(ctx(), pod, expected);
  /** The same object in two volumes of one pod (mounted at /etc/<base> and /etc/<base>-2), read from both. */
  const twoVolumes = (prefix: string, base: string, volume: (name: string) => Volume) => output(
    podWith(prefix, [volume(base), volume(`${base}-2`)], { command: mounttest(`content /etc/${base}/data-1`, `content /etc/${base}-2/data-1`), volumeMounts: mounts([base, `/etc/${base}`], [`${base}-2`, `/etc/${base}-2`]) }),
    [`content of file "/etc/${base}/data-1": value-1`, `content of file "/etc/${base}-2/data-1": value-1`]);

  // configmap_volume.go, secrets_volume.go, projected_configmap.go, projected_secret.go: one object's
  // file read from a configMap or secret volume, or from a projected volume with that one source
  // (mounted at /etc/projected-<kind>-volume as upstream's projected variants).
  type FileCase = { defaultMode?: number; items?: { key: string; path: string; mode?: number }[]; asUser?: boolean; fsGroup?: boolean; file: string; content?: string; mode: string };
  const fileCase = (kind: 'configmap' | 'secret', projectedVol: boolean, title: string, o: FileCase): void => {
    const sig = { configmap: ['ConfigMap', 'Projected configMap'], secret: ['Secrets', 'Projected secret'] }[kind][projectedVol ? 1 : 0]!;
    it(`[sig-storage] ${sig} should be consumable from pods in volume${title} [NodeConformance] [Conformance]`, async () => {
      const prefix = projectedVol ? `projected-${kind}` : kind;
      const obj = kind === 'configmap' ? await makeConfigMap(ctx(), `${prefix}-test-volume`) : await makeSecret(ctx(), `${prefix}-test`);
      const vol = `${prefix}-volume`;
      const file = `/etc/${vol}/${o.file}`;
      const ref = { items: o.items, ...(kind === 'configmap' || projectedVol ? { name: obj } : { secretName: obj }) };
      const source = projectedVol ? { projected: { defaultMode: o.defaultMode, sources: [{ [kind === 'configmap' ? 'configMap' : 'secret']: ref }] } } : { [kind === 'configmap' ? 'configMap' : 'secret']: { ...ref, defaultMode: o.defaultMode } };
      await output(podWith(`pod-${prefix}s`, [{ name: vol, ...source }],
        { command: mounttest(`content ${file}`, `mode ${file}`), volumeMounts: mounts([vol, `/etc/${vol}`]) },
        o.asUser ? { securityContext: { runAsUser: 1000, ...(o.fsGroup ? { fsGroup: 1001 } : {}) } } : {}), [`content of file "${file}": ${o.content ?? 'value-1'}`, `mode of file "${file}": ${o.mode}`]);
    });
  };
  const cmCase = (projectedVol: boolean, title: string, o: FileCase) => fileCase('configmap', projectedVol, title, o);
  const mapping = (mode?: number) => [{ key: 'data-2', path: 'path/to/data-2', mode }];
  cmCase(false, '', { file: 'data-1', content: 'value-1', mode: '-rw-r--r--' });
  cmCase(false, ' with defaultMode set [LinuxOnly]', { defaultMode: 0o400, file: 'data-1', content: 'value-1', mode: '-r--------' });
  cmCase(false, ' as non-root', { asUser: true, file: 'data-1', content: 'value-1', mode: '-rw-r--r--' });
  for (const projectedVol of [false, true]) {
    cmCase(projectedVol, ' with mappings', { items: mapping(), file: 'path/to/data-2', content: 'value-2', mode: '-rw-r--r--' });
    cmCase(projectedVol, ' with mappings and Item mode set [LinuxOnly]', { items: mapping(0o400), file: 'path/to/data-2', content: 'value-2', mode: '-r--------' });
    cmCase(projectedVol, ' with mappings as non-root', { asUser: true, items: mapping(), file: 'path/to/data-2', content: 'value-2', mode: '-rw-r--r--' });
  }
  cmCase(true, '', { file: 'data-1', content: 'value-1', mode: '-rw-r--r--' });
  cmCase(true, ' with defaultMode set [LinuxOnly]', { defaultMode: 0o400, file: 'data-1', content: 'value-1', mode: '-r--------' });
  cmCase(true, ' as non-root', { asUser: true, file: 'data-1', content: 'value-1', mode: '-rw-r--r--' });

  it('[sig-storage] ConfigMap should be consumable in multiple volumes in the same pod [NodeConformance] [Conformance]', async () => {
    const cm = await makeConfigMap(ctx());
    await twoVolumes('pod-configmaps', 'configmap-volume', (name) => ({ name, configMap: { name: cm } }));
  });
  it('[sig-storage] Projected configMap should be consumable in multiple volumes in the same pod [NodeConformance] [Conformance]', async () => {
    const cm = await makeConfigMap(ctx(), 'projected-configmap-test-volume');
    await twoVolumes('pod-projected-configmaps', 'projected-configmap-volume', (name) => ({ name, projected: { sources: [{ configMap: { name: cm } }] } }));
  });

  it('[sig-storage] ConfigMap binary data should be reflected in volume [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const cm = await makeConfigMap(c, 'configmap-test-upd', { data: { 'data-1': 'value-1' }, binaryData: { 'dump.bin': Buffer.from([0xde, 0xca, 0xfe, 0xba, 0xd0, 0xfe]).toString('base64') } });
    const pod = podWith('pod-configmaps', [{ name: 'configmap-volume', configMap: { name: cm } }], { name: 'configmap-volume-data-test', command: mounttest('content /etc/configmap-volume/data-1'), volumeMounts: mounts(['configmap-volume', '/etc/configmap-volume']) });
    pod.spec!.containers.push({ name: 'configmap-volume-binary-test', image: BUSYBOX, command: ['hexdump', '-C', '/etc/configmap-volume/dump.bin'], volumeMounts: mounts(['configmap-volume', '/etc/configmap-volume']) });
    await expectContainerOutput(c, pod, ['content of file "/etc/configmap-volume/data-1": value-1'], 'configmap-volume-data-test');
    assert.match(await podLogs(c, pod.metadata.name!, 'configmap-volume-binary-test'), /^00000000 {2}de ca fe ba d0 fe {2}.*\|\.{6}\|/m);
  });

  for (const projectedVol of [false, true]) {
    const sig = projectedVol ? 'Projected configMap' : 'ConfigMap';
    const cmSource = (name: string, optional?: boolean): Omit<Volume, 'name'> => projectedVol ? { projected: { sources: [{ configMap: { name, optional } }] } } : { configMap: { name, optional } };
    it(`[sig-storage] ${sig} updates should be reflected in volume [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const cm = await makeConfigMap(c, 'configmap-test-upd', { data: { 'data-1': 'value-1' } });
      const pod = podWith('pod-configmaps', [{ name: 'configmap-volume', ...cmSource(cm) }], { command: mounttest('loop /etc/configmap-volume/data-1'), volumeMounts: mounts(['configmap-volume', '/etc/configmap-volume']) }, { restartPolicy: 'Always' });
      await expectUpdate(c, pod, 'value-1', () => c.client.configMaps(c.ns).patch(cm, 'merge', { data: { 'data-1': 'value-2' } }), 'value-2');
    });

    it(`[sig-storage] ${sig} optional updates should be reflected in volume [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const del = await makeConfigMap(c, 'cm-test-opt-del');
      const upd = await makeConfigMap(c, 'cm-test-opt-upd');
      const create = uniqueName('cm-test-opt-create');
      await optionalUpdates(c, 'configmap', (cm) => cmSource(cm, true), { del, upd, create }, 'value-3-updated', async () => {
        await c.client.configMaps(c.ns).delete(del);
        await c.client.configMaps(c.ns).patch(upd, 'merge', { data: { 'data-1': null, 'data-3': 'value-3-updated' } });
        await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: create }, data: { 'data-1': 'value-1' } });
      });
    });
  }

  // secrets_volume.go and projected_secret.go
  const secretCase = (projectedVol: boolean, title: string, o: FileCase) => fileCase('secret', projectedVol, title, o);
  for (const projectedVol of [false, true]) {
    secretCase(projectedVol, '', { file: 'data-1', mode: '-rw-r--r--' });
    secretCase(projectedVol, ' with defaultMode set [LinuxOnly]', { defaultMode: 0o400, file: 'data-1', mode: '-r--------' });
    secretCase(projectedVol, ' as non-root with defaultMode and fsGroup set [LinuxOnly]', { defaultMode: 0o440, asUser: true, fsGroup: true, file: 'data-1', mode: '-r--r-----' });
    secretCase(projectedVol, ' with mappings', { items: [{ key: 'data-1', path: 'new-path-data-1' }], file: 'new-path-data-1', mode: '-rw-r--r--' });
    secretCase(projectedVol, ' with mappings and Item Mode set [LinuxOnly]', { items: [{ key: 'data-1', path: 'new-path-data-1', mode: 0o400 }], file: 'new-path-data-1', mode: '-r--------' });
  }

  it('[sig-storage] Secrets should be consumable in multiple volumes in a pod [NodeConformance] [Conformance]', async () => {
    const secret = await makeSecret(ctx());
    await twoVolumes('pod-secrets', 'secret-volume', (name) => ({ name, secret: { secretName: secret } }));
  });
  it('[sig-storage] Projected secret should be consumable in multiple volumes in a pod [NodeConformance] [Conformance]', async () => {
    const secret = await makeSecret(ctx(), 'projected-secret-test');
    await twoVolumes('pod-projected-secrets', 'projected-secret-volume', (name) => ({ name, projected: { sources: [{ secret: { name: secret } }] } }));
  });

  it('[sig-storage] Secrets should be able to mount in a volume regardless of a different secret existing with same name in different namespace [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const secret = await makeSecret(c);
    const otherNs = uniqueName(`${c.ns}-other`).slice(0, 63);
    await c.client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: otherNs } });
    await c.client.secrets(otherNs).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret }, data: { 'data-1': b64('value-1-in-the-other-namespace') } });
    await output(podWith('pod-secrets', [{ name: 'secret-volume', secret: { secretName: secret } }], { command: mounttest('content /etc/secret-volume/data-1'), volumeMounts: mounts(['secret-volume', '/etc/secret-volume']) }),
      ['content of file "/etc/secret-volume/data-1": value-1\n']);
    await c.client.resource(resources.namespaces).delete(otherNs);
  });

  for (const projectedVol of [false, true]) {
    it(`[sig-storage] ${projectedVol ? 'Projected secret' : 'Secrets'} optional updates should be reflected in volume [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const del = await makeSecret(c, 's-test-opt-del');
      // As upstream: the updated secret has only data-1 until the update adds data-3.
      const upd = uniqueName('s-test-opt-upd');
      await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: upd }, data: { 'data-1': b64('value-1') } });
      const create = uniqueName('s-test-opt-create');
      const source = (name: string): Omit<Volume, 'name'> => projectedVol ? { projected: { sources: [{ secret: { name, optional: true } }] } } : { secret: { secretName: name, optional: true } };
      await optionalUpdates(c, 'secret', source, { del, upd, create }, 'value-3', async () => {
        await c.client.secrets(c.ns).delete(del);
        await c.client.secrets(c.ns).patch(upd, 'merge', { data: { 'data-1': null, 'data-3': b64('value-3') } });
        await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: create }, data: { 'data-1': b64('value-1') } });
      });
    });
  }

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
