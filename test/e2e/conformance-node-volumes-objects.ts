/**
 * Upstream's conformance tests of ConfigMap and Secret volumes, plain and projected
 * (test/e2e/common/storage/configmap_volume.go, secrets_volume.go, projected_configmap.go,
 * projected_secret.go), declared into the describe of conformance-node-volumes.test.ts so they
 * share its node and namespace.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Pod, Volume } from '../../src/api/kinds/index.js';
import { resources } from '../../src/client/resource-ref.js';
import { eventually } from '../../src/testing/eventually.js';
import { BUSYBOX, expectContainerOutput, isRunningReady, podLogs, uniqueName, waitForPod, type NodeConformance } from './conformance-node-harness.js';
import { b64, expectUpdate, makeConfigMap, makeSecret, mounts, mounttest, podWith } from './conformance-node-volumes-harness.js';

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

/** Declares the configMap and secret volume tests in the caller's describe; `ctx` is read once its node has started. */
export function objectVolumeConformanceTests(ctx: () => NodeConformance): void {
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
}
