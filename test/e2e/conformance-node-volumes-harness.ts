/**
 * What the node volume conformance tests share (conformance-node-volumes.test.ts and
 * conformance-node-volumes-objects.ts): agnhost `mounttest` as a busybox shell function (its output
 * format is described in conformance-node-volumes.test.ts), the test pod, and the ConfigMap and
 * Secret of upstream's tests (data-1..3 = value-1..3).
 */
import type { Container, Pod, Volume } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import { BUSYBOX, isRunningReady, podLogs, uniqueName, waitForPod, type NodeConformance } from './conformance-node-harness.js';

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
export const mounttest = (...steps: string[]): string[] => ['sh', '-c', `${MOUNTTEST}; ${steps.join('; ')}`];

type Mount = NonNullable<Container['volumeMounts']>[number];
export const podWith = (prefix: string, volumes: Volume[], container: Partial<Container>, spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName(prefix), ...meta },
  spec: { terminationGracePeriodSeconds: 1, restartPolicy: 'Never', volumes, containers: [{ name: 'test-container', image: BUSYBOX, ...container }], ...spec },
});
export const mounts = (...m: [string, string][]): Mount[] => m.map(([name, mountPath]) => ({ name, mountPath }));
export const b64 = (s: string) => Buffer.from(s).toString('base64');

export async function makeConfigMap(c: NodeConformance, prefix = 'configmap-test-volume', extra: object = {}): Promise<string> {
  const name = uniqueName(prefix);
  await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { 'data-1': 'value-1', 'data-2': 'value-2', 'data-3': 'value-3' }, ...extra });
  return name;
}

export async function makeSecret(c: NodeConformance, prefix = 'secret-test', ns = c.ns, value1 = 'value-1'): Promise<string> {
  const name = uniqueName(prefix);
  await c.client.secrets(ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: { 'data-1': b64(value1), 'data-2': b64('value-2'), 'data-3': b64('value-3') } });
  return name;
}

/** A looping reader of `file` until its log shows `first`; then `change()`, until it shows `then`. */
export async function expectUpdate(c: NodeConformance, pod: Pod, first: string, change: () => Promise<unknown>, then: string): Promise<void> {
  await c.client.pods(c.ns).create(pod);
  const name = pod.metadata.name!;
  await waitForPod(c, name, 'Running', isRunningReady);
  const logShows = (text: string) => eventually(async () => (await podLogs(c, name, pod.spec!.containers[0]!.name)).includes(text), `${name}'s log to show ${JSON.stringify(text)}`, { timeoutMs: 60_000, intervalMs: 500 });
  await logShows(first);
  await change();
  await logShows(then);
  await c.client.pods(c.ns).delete(name);
}
