/**
 * What the kubelet derives from a pod's securityContext beyond plain fields
 * (pkg/kubelet/kuberuntime/security_context*.go, helpers.go): the seccomp profile handed to CRI
 * (container level over pod level; none means Unconfined; Localhost profiles are files under the
 * agent's seccomp directory, DATA_DIR/seccomp, as the kubelet's <root-dir>/seccomp), and the
 * runAsNonRoot check against the user the image runs as.
 */
import { isAbsolute, join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { SeccompProfile } from '../runtime/types.js';
import { ContainerConfigError } from '../downward-api/field-values.js';

type ProfileField = { type?: string; localhostProfile?: string } | undefined;

/** CRI seccomp profile of a pod (container undefined: the sandbox) or of one container. */
export function seccompProfile(pod: Pod, c: Container | undefined, seccompDir: string): SeccompProfile | undefined {
  const p: ProfileField = c?.securityContext?.seccompProfile ?? pod.spec?.securityContext?.seccompProfile;
  if (!p?.type) return undefined;
  if (p.type === 'RuntimeDefault' || p.type === 'Unconfined') return { type: p.type };
  if (p.type !== 'Localhost') throw new ContainerConfigError(`unknown seccomp profile type: ${p.type}`);
  const rel = p.localhostProfile ?? '';
  if (!rel || isAbsolute(rel) || rel.split('/').includes('..')) {
    throw new ContainerConfigError(`localhostProfile must be a relative path without "..", got "${rel}"`);
  }
  return { type: 'Localhost', localhostRef: join(seccompDir, rel) };
}

/** The user an image runs as (CRI ImageStatus uid or username); neither means root, as the kubelet's getImageUser. */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot, with upstream's messages. */
export function verifyRunAsNonRoot(pod: Pod, c: Container, image: ImageUser): void {
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot;
  if (!nonRoot) return;
  const who = `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name}`;
  const runAsUser = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  if (runAsUser !== undefined) {
    if (runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (${who})`);
    return;
  }
  if (image.uid === undefined && image.username) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (${who})`);
  }
  if ((image.uid ?? 0) === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (${who})`);
}
