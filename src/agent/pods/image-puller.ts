import type { Container, Pod, Secret } from '../../api/kinds/index.js';
import { RuntimeError, type AuthConfig, type ContainerRuntime } from '../runtime/types.js';
import { rpcErrorText } from '../runtime/rpc-error.js';
import type { Backoff } from './backoff.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';
import type { EventSink } from './events.js';
import type { WaitingReason } from '../status/container-statuses.js';

/**
 * kubelet's image manager: pull per imagePullPolicy (Always, IfNotPresent, Never), with credentials
 * from the pod's imagePullSecrets, and a back-off per (pod, image): a failed pull is ErrImagePull,
 * retries inside the back-off window are ImagePullBackOff. Events as upstream words them.
 */

export type PullOutcome = { imageRef: string } | { waiting: WaitingReason };

/** The registry host of an image reference ("docker.io" when none is given). */
export function registryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

function hostOf(key: string): string {
  try {
    return key.includes('://') ? new URL(key).host : key.split('/')[0]!;
  } catch {
    return key;
  }
}

/** Credentials for `image` from dockerconfigjson / dockercfg secrets, in order. */
export function credentialsFor(image: string, secrets: Secret[]): AuthConfig | undefined {
  const host = registryHost(image);
  const aliases = host === 'docker.io' ? ['docker.io', 'index.docker.io', 'registry-1.docker.io'] : [host];
  for (const s of secrets) {
    const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
    if (!raw) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    const auths = (s.data?.['.dockerconfigjson'] ? parsed.auths : parsed) as Record<string, { username?: string; password?: string; auth?: string }> | undefined;
    for (const [k, v] of Object.entries(auths ?? {})) {
      if (!aliases.includes(hostOf(k))) continue;
      let { username, password } = v;
      if ((!username || !password) && v.auth) {
        const dec = Buffer.from(v.auth, 'base64').toString('utf8');
        const i = dec.indexOf(':');
        username = dec.slice(0, i);
        password = dec.slice(i + 1);
      }
      return { username, password, serverAddress: k };
    }
  }
  return undefined;
}

export class ImagePuller {
  /** The last pull error by back-off key, shown while that pull backs off (kubelet's prevPullErrMsg, 1.32). */
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly backoff: Backoff,
    private readonly events: EventSink,
    private readonly lookup: ObjectLookup,
  ) {}

  /** Forgets a pod that went away: its pull back-offs and their last errors. */
  forgetPod(uid: string): void {
    this.backoff.resetPrefix(`${uid}/`);
    for (const k of this.lastError.keys()) if (k.startsWith(`${uid}/`)) this.lastError.delete(k);
  }

  /** Milliseconds until the next pull of back-off key `${uid}/${image}` is allowed. */
  retryInMs(key: string): number {
    return this.backoff.remainingSinceUpdate(key);
  }

  async ensure(pod: Pod, c: Container): Promise<PullOutcome> {
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const present = await this.runtime.imageStatus(image);
    if (present && policy !== 'Always') {
      this.events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { imageRef: present.id };
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.events.event(pod, 'Warning', 'ErrImageNeverPull', msg);
      return { waiting: { reason: 'ErrImageNeverPull', message: msg } };
    }
    const key = `${pod.metadata.uid}/${image}`;
    if (this.backoff.inBackoffSinceUpdate(key)) {
      this.events.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      const last = this.lastError.get(key);
      return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"${last === undefined ? '' : `: ErrImagePull: ${last}`}` } };
    }
    const ns = pod.metadata.namespace ?? 'default';
    const secrets = (pod.spec?.imagePullSecrets ?? []).map((r) => this.lookup.secret(ns, r.name ?? '')).filter((s): s is Secret => !!s);
    this.events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = Date.now();
    try {
      const ref = await this.runtime.pullImage(image, credentialsFor(image, secrets));
      this.backoff.reset(key);
      this.lastError.delete(key);
      const secs = ((Date.now() - t0) / 1000).toFixed(3);
      const size = (await this.runtime.imageStatus(ref).catch(() => null))?.size ?? 0;
      this.events.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.`);
      return { imageRef: ref };
    } catch (err) {
      this.backoff.next(key);
      // As evalCRIPullErr's fallback: the CRI client's error text, rpc error code and all.
      const msg = err instanceof RuntimeError ? rpcErrorText(err) : String(err);
      this.events.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
      this.events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      // The waiting message is the runtime's error itself (evalCRIPullErr), the event names the image.
      this.lastError.set(key, msg);
      return { waiting: { reason: 'ErrImagePull', message: msg } };
    }
  }
}
