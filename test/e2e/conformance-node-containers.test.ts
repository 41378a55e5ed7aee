/**
 * Upstream's [sig-node] conformance tests of what a container sees, on real containers (one compiled
 * `bosun server` and its node for the file, pods in parallel): test/e2e/common/node/containers.go,
 * kubelet.go, kubelet_etc_hosts.go, downwardapi.go, configmap.go and secrets.go (environment),
 * expansion.go, security_context.go (declared from conformance-node-security-context.ts), sysctl.go, runtime.go.
 * Each test follows upstream's pod and its expected output. agnhost's `entrypoint-tester` (prints its
 * argv) is busybox `echo`; the image's default command is httpd (there is no entrypoint), so the
 * image-defaults test checks that httpd serves. Upstream's `sh -c env` is `env` run directly: Debian's
 * busybox ash drops variables whose names are not shell identifiers (`data-1`) from its children.
 * The file's node also runs the [sig-apps], [sig-auth] and [sig-cli] tests of
 * conformance-node-apps-auth-cli.ts. Needs root and scripts/build-test-images.sh; `npm run build`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { eventually } from '../../src/testing/eventually.js';
import {
  BUSYBOX, busyboxPod, execIn, expectContainerOutput, isRunningReady, podLogs, SLEEP_FOREVER, uniqueName, useConformanceNode, waitForPod, waitForPodFinished,
  CONCURRENCY,
} from './conformance-node-harness.js';
import { registerAppsAuthCliConformance } from './conformance-node-apps-auth-cli.js';
import { securityContextConformanceTests } from './conformance-node-security-context.js';

const IPV4 = /\d+\.\d+\.\d+\.\d+/;

describe('[sig-node] conformance: containers', { concurrency: CONCURRENCY, timeout: 300_000 }, () => {
  const ctx = useConformanceNode('cf-node-ctr');
  registerAppsAuthCliConformance(ctx);
  const output = (pod: Pod, expected: (string | RegExp)[]) => expectContainerOutput(ctx(), pod, expected);
  const envPod = (prefix: string, env: NonNullable<Pod['spec']>['containers'][number]['env'], extra: object = {}) =>
    busyboxPod(uniqueName(prefix), { command: ['env'], env, ...extra });

  // containers.go
  it('[sig-node] Containers should use the image defaults if command and args are blank [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('client-containers');
    await c.client.pods(c.ns).create(busyboxPod(name));
    const pod = await waitForPod(c, name, 'Running and Ready', (p) => isRunningReady(p) && p);
    // The image's own command (httpd on 8080 serving /www) is what runs.
    const res = await fetch(`http://${pod.status!.podIP}:8080/`, { signal: AbortSignal.timeout(5000) });
    assert.match(await res.text(), /bosun test page/);
  });

  it('[sig-node] Containers should be able to override the image\'s default arguments (container cmd) [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('client-containers'), { args: ['echo', 'override', 'arguments'] }), ['override arguments']);
  });

  it('[sig-node] Containers should be able to override the image\'s default command (container entrypoint) [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('client-containers'), { command: ['/bin/echo', 'override', 'command'] }), ['override command']);
  });

  it('[sig-node] Containers should be able to override the image\'s default command and arguments [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('client-containers'), { command: ['/bin/echo'], args: ['override', 'arguments'] }), ['override arguments']);
  });

  // kubelet.go
  it('[sig-node] Kubelet when scheduling a busybox command in a pod should print the output to logs [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('busybox-scheduling');
    await c.client.pods(c.ns).create(busyboxPod(name, { command: ['/bin/sh', '-c', "echo 'Hello World' ; sleep 240"] }, { restartPolicy: 'Never' }));
    await waitForPod(c, name, 'logs "Hello World\\n"', async () => (await podLogs(c, name)) === 'Hello World\n');
  });

  it('[sig-node] Kubelet when scheduling a busybox command that always fails in a pod should have an terminated reason [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('bin-false');
    await c.client.pods(c.ns).create(busyboxPod(name, { command: ['/bin/false'] }, { restartPolicy: 'Never' }));
    const p = await waitForPod(c, name, 'one terminated container with a reason', (p) => p.status?.containerStatuses?.length === 1 && p.status.containerStatuses[0]!.state?.terminated && p);
    const t = p.status!.containerStatuses![0]!.state!.terminated!;
    assert.ok(t.reason, `terminated state has a reason: ${JSON.stringify(t)}`);
    assert.equal(t.reason, 'Error');
    assert.equal(t.exitCode, 1);
  });

  it('[sig-node] Kubelet when scheduling a busybox command that always fails in a pod should be possible to delete [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('bin-false');
    await c.client.pods(c.ns).create(busyboxPod(name, { command: ['/bin/false'] }, { restartPolicy: 'Never' }));
    await waitForPodFinished(c, name);
    await c.client.pods(c.ns).delete(name);
    await eventually(async () => (await c.client.pods(c.ns).list({ fieldSelector: `metadata.name=${name}` })).items.length === 0, `pod ${name} gone`, { timeoutMs: 30_000, intervalMs: 300 });
  });

  it('[sig-node] Kubelet when scheduling a read only busybox container should not write to root filesystem [LinuxOnly] [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('busybox-readonly-fs');
    await c.client.pods(c.ns).create(busyboxPod(name, { command: ['/bin/sh', '-c', 'echo test > /file; sleep 240'], securityContext: { readOnlyRootFilesystem: true } }, { restartPolicy: 'Never' }));
    await waitForPod(c, name, 'the refused write in its log', async () => (await podLogs(c, name)) === '/bin/sh: can\'t create /file: Read-only file system\n');
  });

  it('[sig-node] Kubelet when scheduling an agnhost Pod with hostAliases should write entries to /etc/hosts [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const name = uniqueName('agnhost-host-aliases');
    await c.client.pods(c.ns).create(busyboxPod(name, { command: ['/bin/sh', '-c', 'cat /etc/hosts; sleep 6000'] }, { restartPolicy: 'Never', hostAliases: [{ ip: '123.45.67.89', hostnames: ['foo', 'bar'] }] }));
    await waitForPod(c, name, '/etc/hosts with the aliases', async () => (await podLogs(c, name)).includes('123.45.67.89\tfoo\tbar'));
  });

  // kubelet_etc_hosts.go
  it('[sig-node] KubeletManagedEtcHosts should test kubelet managed /etc/hosts file [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const hostsVolume = { name: 'host-etc-hosts', hostPath: { path: '/etc/hosts', type: 'File' as const } };
    const mountHosts = { volumeMounts: [{ name: 'host-etc-hosts', mountPath: '/etc/hosts' }] };
    const ctr = (n: string, extra: object = {}) => ({ name: n, image: BUSYBOX, command: SLEEP_FOREVER, ...extra });
    const pods = c.client.pods(c.ns);
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test-pod' }, spec: { terminationGracePeriodSeconds: 1, volumes: [hostsVolume], containers: [ctr('busybox-1'), ctr('busybox-2'), ctr('busybox-3', mountHosts)] } });
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test-host-network-pod' }, spec: { terminationGracePeriodSeconds: 1, hostNetwork: true, volumes: [hostsVolume], containers: [ctr('busybox-1'), ctr('busybox-2', mountHosts)] } });
    await waitForPod(c, 'test-pod', 'Running', isRunningReady);
    await waitForPod(c, 'test-host-network-pod', 'Running', isRunningReady);
    const managed = (s: string) => s.includes('# Kubernetes-managed hosts file.');
    // hostNetwork=false: kubelet-managed, unless the container mounts the host's file.
    assert.ok(managed(await execIn(c, 'test-pod', 'busybox-1', ['cat', '/etc/hosts'])));
    assert.ok(managed(await execIn(c, 'test-pod', 'busybox-2', ['cat', '/etc/hosts'])));
    assert.ok(!managed(await execIn(c, 'test-pod', 'busybox-3', ['cat', '/etc/hosts'])));
    // hostNetwork=true: never managed.
    assert.ok(!managed(await execIn(c, 'test-host-network-pod', 'busybox-1', ['cat', '/etc/hosts'])));
    assert.ok(!managed(await execIn(c, 'test-host-network-pod', 'busybox-2', ['cat', '/etc/hosts'])));
  });

  // downwardapi.go
  const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
  const resource = (res: string) => ({ valueFrom: { resourceFieldRef: { resource: res } } });

  it('[sig-node] Downward API should provide pod name, namespace and IP address as env vars [NodeConformance] [Conformance]', async () => {
    const pod = envPod('downward-api', [{ name: 'POD_NAME', ...field('metadata.name') }, { name: 'POD_NAMESPACE', ...field('metadata.namespace') }, { name: 'POD_IP', ...field('status.podIP') }]);
    await output(pod, [`POD_NAME=${pod.metadata.name}`, `POD_NAMESPACE=${ctx().ns}`, new RegExp(`POD_IP=${IPV4.source}`)]);
  });

  it('[sig-node] Downward API should provide host IP as an env var [NodeConformance] [Conformance]', async () => {
    await output(envPod('downward-api', [{ name: 'HOST_IP', ...field('status.hostIP') }]), [new RegExp(`HOST_IP=${IPV4.source}`)]);
  });

  it('[sig-node] Downward API should provide container\'s limits.cpu/memory and requests.cpu/memory as env vars [NodeConformance] [Conformance]', async () => {
    const env = [{ name: 'CPU_LIMIT', ...resource('limits.cpu') }, { name: 'MEMORY_LIMIT', ...resource('limits.memory') }, { name: 'CPU_REQUEST', ...resource('requests.cpu') }, { name: 'MEMORY_REQUEST', ...resource('requests.memory') }];
    const pod = envPod('downward-api', env, { resources: { limits: { cpu: '1250m', memory: '64Mi' }, requests: { cpu: '1250m', memory: '32Mi' } } });
    await output(pod, ['CPU_LIMIT=2', 'MEMORY_LIMIT=67108864', 'CPU_REQUEST=2', 'MEMORY_REQUEST=33554432']);
  });

  it('[sig-node] Downward API should provide default limits.cpu/memory from node allocatable [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const node = await c.client.resource({ group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' }).get(c.node.nodeName) as { status?: { allocatable?: Record<string, string> } };
    const pod = await output(envPod('downward-api', [{ name: 'CPU_LIMIT', ...resource('limits.cpu') }, { name: 'MEMORY_LIMIT', ...resource('limits.memory') }]), [/CPU_LIMIT=\d+/, /MEMORY_LIMIT=\d+/]);
    // Beyond upstream's pattern: the values are the node's allocatable (cpu rounded up to cores).
    const logs = await podLogs(c, pod.metadata.name!);
    assert.equal(/CPU_LIMIT=(\d+)/.exec(logs)![1], String(Math.ceil(Number(node.status!.allocatable!.cpu!.replace(/m$/, '')) / (node.status!.allocatable!.cpu!.endsWith('m') ? 1000 : 1))));
  });

  it('[sig-node] Downward API should provide pod UID as env vars [NodeConformance] [Conformance]', async () => {
    await output(envPod('downward-api', [{ name: 'POD_UID', ...field('metadata.uid') }]), [/POD_UID=[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}/]);
  });

  // configmap.go / secrets.go (environment)
  it('[sig-node] ConfigMap should be consumable via environment variable [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const cm = uniqueName('configmap-test');
    await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm }, data: { 'data-1': 'value-1', 'data-2': 'value-2', 'data-3': 'value-3' } });
    await output(envPod('pod-configmaps', [{ name: 'CONFIG_DATA_1', valueFrom: { configMapKeyRef: { name: cm, key: 'data-1' } } }]), ['CONFIG_DATA_1=value-1']);
  });

  it('[sig-node] ConfigMap should be consumable via the environment [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const cm = uniqueName('configmap-test');
    await c.client.configMaps(c.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm }, data: { 'data-1': 'value-1', 'data-2': 'value-2', 'data-3': 'value-3' } });
    const pod = envPod('pod-configmaps', undefined, { envFrom: [{ configMapRef: { name: cm } }, { prefix: 'p-', configMapRef: { name: cm } }] });
    await output(pod, ['data-1=value-1', 'data-2=value-2', 'data-3=value-3', 'p-data-1=value-1', 'p-data-2=value-2', 'p-data-3=value-3']);
  });

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('[sig-node] Secrets should be consumable from pods in env vars [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const secret = uniqueName('secret-test');
    await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret }, data: { 'data-1': b64('value-1'), 'data-2': b64('value-2'), 'data-3': b64('value-3') } });
    await output(envPod('pod-secrets', [{ name: 'SECRET_DATA', valueFrom: { secretKeyRef: { name: secret, key: 'data-1' } } }]), ['SECRET_DATA=value-1']);
  });

  it('[sig-node] Secrets should be consumable via the environment [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const secret = uniqueName('secret-test');
    await c.client.secrets(c.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret }, data: { 'data-1': b64('value-1'), 'data-2': b64('value-2'), 'data-3': b64('value-3') } });
    const pod = envPod('pod-configmaps', undefined, { envFrom: [{ secretRef: { name: secret } }, { prefix: 'p-', secretRef: { name: secret } }] });
    await output(pod, ['data-1=value-1', 'data-2=value-2', 'data-3=value-3', 'p-data-1=value-1', 'p-data-2=value-2', 'p-data-3=value-3']);
  });

  // expansion.go
  it('[sig-node] Variable Expansion should allow composing env vars into new env vars [NodeConformance] [Conformance]', async () => {
    const env = [{ name: 'FOO', value: 'foo-value' }, { name: 'BAR', value: 'bar-value' }, { name: 'FOOBAR', value: '$(FOO);;$(BAR)' }];
    await output(envPod('var-expansion', env), ['FOO=foo-value', 'BAR=bar-value', 'FOOBAR=foo-value;;bar-value']);
  });

  it('[sig-node] Variable Expansion should allow substituting values in a container\'s command [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('var-expansion'), { command: ['sh', '-c', 'TEST_VAR=wrong echo "$(TEST_VAR)"'], env: [{ name: 'TEST_VAR', value: 'test-value' }] }), ['test-value']);
  });

  it('[sig-node] Variable Expansion should allow substituting values in a container\'s args [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('var-expansion'), { command: ['sh', '-c'], args: ['TEST_VAR=wrong echo "$(TEST_VAR)"'], env: [{ name: 'TEST_VAR', value: 'test-value' }] }), ['test-value']);
  });

  const subpathPod = (prefix: string, env: object[], command: string[], mounts: object[], extra: Partial<Pod['metadata']> = {}) => {
    const pod = busyboxPod(uniqueName(prefix), { command, env: env as never, volumeMounts: mounts as never }, { volumes: [{ name: 'workdir1', emptyDir: {} }] });
    Object.assign(pod.metadata, extra);
    return pod;
  };

  it('[sig-node] Variable Expansion should allow substituting values in a volume subpath [Conformance]', async () => {
    const pod = subpathPod('var-expansion', [{ name: 'POD_NAME', value: 'foo' }], ['sh', '-c', 'test -d /testcontainer/foo; echo $?'], [
      { name: 'workdir1', mountPath: '/logscontainer', subPathExpr: '$(POD_NAME)' }, { name: 'workdir1', mountPath: '/testcontainer' },
    ]);
    await output(pod, ['0']);
  });

  for (const [what, value] of [['with backticks', '..'], ['with absolute path', '/tmp']] as const) {
    it(`[sig-node] Variable Expansion should fail substituting values in a volume subpath ${what} [Conformance]`, async () => {
      const c = ctx();
      const pod = subpathPod('var-expansion', [{ name: 'POD_NAME', value }], SLEEP_FOREVER, [{ name: 'workdir1', mountPath: '/logscontainer', subPathExpr: '$(POD_NAME)' }]);
      await c.client.pods(c.ns).create(pod);
      // e2epod.WaitForPodContainerToFail(..., "CreateContainerConfigError")
      await waitForPod(c, pod.metadata.name!, 'CreateContainerConfigError', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
      await c.client.pods(c.ns).delete(pod.metadata.name!);
    });
  }

  it('[sig-node] Variable Expansion should succeed in writing subpaths in container [Conformance]', async () => {
    const c = ctx();
    const pod = subpathPod('var-expansion', [{ name: 'POD_NAME', ...field("metadata.annotations['mysubpath']") }], SLEEP_FOREVER, [
      { name: 'workdir1', mountPath: '/subpath_mount', subPathExpr: '$(POD_NAME)' }, { name: 'workdir1', mountPath: '/volume_mount' },
    ], { annotations: { mysubpath: 'foo' } });
    await c.client.pods(c.ns).create(pod);
    const name = pod.metadata.name!;
    await waitForPod(c, name, 'Running', isRunningReady);
    await execIn(c, name, 'test-container', ['touch', '/volume_mount/foo/test.log']);
    await execIn(c, name, 'test-container', ['test', '-f', '/subpath_mount/test.log']);
    // The annotation changes; the running container keeps its mount (the expansion is done once).
    await c.client.pods(c.ns).patch(name, 'merge', { metadata: { annotations: { mysubpath: 'mynewpath' } } });
    await execIn(c, name, 'test-container', ['test', '-f', '/subpath_mount/test.log']);
    await c.client.pods(c.ns).delete(name);
  });

  // security_context.go: conformance-node-security-context.ts.
  securityContextConformanceTests(ctx);

  // sysctl.go
  it('[sig-node] Sysctls [LinuxOnly] [NodeConformance] should support sysctls [MinimumKubeletVersion:1.21] [Environment:NotInUserNS] [Conformance]', async () => {
    const pod = busyboxPod(uniqueName('sysctl'), { command: ['/bin/sysctl', 'kernel.shm_rmid_forced'] }, { securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] } });
    await output(pod, ['kernel.shm_rmid_forced = 1']);
  });

  it('[sig-node] Sysctls [LinuxOnly] [NodeConformance] should reject invalid sysctls [MinimumKubeletVersion:1.21] [Conformance]', async () => {
    const c = ctx();
    const sysctls = [{ name: 'foo-', value: 'bar' }, { name: 'kernel.shmmax', value: '100000000' }, { name: 'safe-and-unsafe', value: '100000000' }, { name: 'bar..', value: '42' }];
    await assert.rejects(c.client.pods(c.ns).create(busyboxPod(uniqueName('sysctl'), {}, { restartPolicy: 'Never', securityContext: { sysctls } })), (e: Error) => {
      assert.ok(e.message.includes('Invalid value: "foo-"'), e.message);
      assert.ok(e.message.includes('Invalid value: "bar.."'), e.message);
      assert.ok(!e.message.includes('safe-and-unsafe'), e.message);
      assert.ok(!e.message.includes('kernel.shmmax'), e.message);
      return true;
    });
  });

  // runtime.go: termination messages
  const terminationCase = (title: string, container: object, phase: 'Succeeded' | 'Failed', message: string): void => {
    it(`[sig-node] Container Runtime blackbox test on terminated container ${title} [NodeConformance] [Conformance]`, async () => {
      const c = ctx();
      const name = uniqueName('termination-message-container');
      await c.client.pods(c.ns).create(busyboxPod(name, container, { restartPolicy: 'Never' }));
      const p = await waitForPodFinished(c, name);
      assert.equal(p.status?.phase, phase);
      const t = p.status!.containerStatuses![0]!.state!.terminated!;
      assert.equal(t.message ?? '', message);
    });
  };
  terminationCase('should report termination message if TerminationMessagePath is set as non-root user and at a non-default path',
    { command: ['/bin/sh', '-c', '/bin/echo -n DONE > /dev/termination-custom-log'], terminationMessagePath: '/dev/termination-custom-log', securityContext: { runAsUser: 1000 } }, 'Succeeded', 'DONE');
  terminationCase('should report termination message from log output if TerminationMessagePolicy FallbackToLogsOnError is set',
    { command: ['/bin/sh', '-c', '/bin/echo -n DONE; /bin/false'], terminationMessagePolicy: 'FallbackToLogsOnError' }, 'Failed', 'DONE');
  terminationCase('should report termination message as empty when pod succeeds and TerminationMessagePolicy FallbackToLogsOnError is set',
    { command: ['/bin/sh', '-c', '/bin/echo -n DONE; /bin/true'], terminationMessagePolicy: 'FallbackToLogsOnError' }, 'Succeeded', '');
  terminationCase('should report termination message from file when pod succeeds and TerminationMessagePolicy FallbackToLogsOnError is set',
    { command: ['/bin/sh', '-c', '/bin/echo -n OK > /dev/termination-log'], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError' }, 'Succeeded', 'OK');
});
