/**
 * Upstream's [sig-node] Security Context conformance tests (test/e2e/common/node/security_context.go
 * and test/e2e/node/security_context.go), declared into the describe of
 * conformance-node-containers.test.ts so they share its node and namespace. Each runs upstream's pod
 * to completion and checks its output (TestContainerOutput / MatchContainerOutput).
 *
 * AllowPrivilegeEscalation runs upstream's `nonewprivs` image (bosun.test/nonewprivs:1,
 * scripts/build-test-nonewprivs-image.sh: a setuid-root binary printing "Effective uid: N") as uid
 * 1000. Only the `false` case is conformance; upstream's two others (true, and unset) are ported too:
 * they print 0, so they show the setuid bit survives the image import and it is no_new_privs alone
 * that makes the `false` case print 1000.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Pod } from '../../src/api/kinds/index.js';
import { busyboxPod, expectContainerOutput, podLogs, uniqueName, type NodeConformance } from './conformance-node-harness.js';
import { importTestImage, NONEWPRIVS_IMAGE } from './conformance-node-images.js';

/** upstream's nonRootTestUserID */
const NON_ROOT_UID = 1000;

/** Declares the Security Context tests in the caller's describe; `ctx` is read once its node has started. */
export function securityContextConformanceTests(ctx: () => NodeConformance): void {
  const output = (pod: Pod, expected: (string | RegExp)[]) => expectContainerOutput(ctx(), pod, expected);

  it('[sig-node] Security Context When creating a container with runAsUser should run the container with uid 65534 [LinuxOnly] [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('busybox-user-65534'), { command: ['id', '-u'], securityContext: { runAsUser: 65534 } }), ['65534']);
  });

  it('[sig-node] Security Context When creating a pod with privileged should run the container as unprivileged when false [LinuxOnly] [NodeConformance] [Conformance]', async () => {
    const c = ctx();
    const pod = busyboxPod(uniqueName('busybox-privileged-false'), { command: ['sh', '-c', 'ip link add dummy1 type dummy || true'], securityContext: { privileged: false } });
    await output(pod, []);
    assert.ok((await podLogs(c, pod.metadata.name!)).includes('Operation not permitted'), 'an unprivileged container cannot create a dummy link');
  });

  it('[sig-node] Security Context When creating a pod with readOnlyRootFilesystem should run the container with writable rootfs when readOnlyRootFilesystem=false [NodeConformance] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('busybox-readonly-false'), { command: ['sh', '-c', 'touch checkfile'], securityContext: { readOnlyRootFilesystem: false } }), []);
  });

  it('[sig-node] Security Context should support pod.Spec.SecurityContext.RunAsUser And pod.Spec.SecurityContext.RunAsGroup [LinuxOnly] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('security-context'), { command: ['id'] }, { securityContext: { runAsUser: 1001, runAsGroup: 2002 } }), ['uid=1001', 'gid=2002']);
  });

  it('[sig-node] Security Context should support container.SecurityContext.RunAsUser And container.SecurityContext.RunAsGroup [LinuxOnly] [Conformance]', async () => {
    await output(busyboxPod(uniqueName('security-context'), { command: ['id'], securityContext: { runAsUser: 1001, runAsGroup: 2002 } }), ['uid=1001', 'gid=2002']);
  });

  // makeAllowPrivilegeEscalationPod / createAndMatchOutput: the image's own command, as uid 1000.
  const escalationCase = (title: string, prefix: string, allowPrivilegeEscalation: boolean | undefined, euid: number, conformance: boolean): void => {
    it(`[sig-node] Security Context when creating containers with AllowPrivilegeEscalation ${title} [LinuxOnly] [NodeConformance]${conformance ? ' [Conformance]' : ''}`, async () => {
      const c = ctx();
      await importTestImage(c.node, NONEWPRIVS_IMAGE);
      const name = uniqueName(prefix);
      const securityContext = { runAsUser: NON_ROOT_UID, ...(allowPrivilegeEscalation !== undefined && { allowPrivilegeEscalation }) };
      await expectContainerOutput(c, busyboxPod(name, { name, image: NONEWPRIVS_IMAGE.ref, securityContext }), [`Effective uid: ${euid}\n`]);
    });
  };
  escalationCase('should not allow privilege escalation when false', 'alpine-nnp-false', false, NON_ROOT_UID, true);
  escalationCase('should allow privilege escalation when true', 'alpine-nnp-true', true, 0, false);
  escalationCase('should allow privilege escalation when not explicitly set and uid != 0', 'alpine-nnp-nil', undefined, 0, false);
}
