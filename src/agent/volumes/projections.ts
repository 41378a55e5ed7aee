import type { KeyToPath, Pod, Volume } from '../../api/kinds/index.js';
import { fieldRefValue, resourceFieldValue } from '../downward-api/field-values.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';
import type { FileProjection } from './atomic-writer.js';

/**
 * The files of configMap, secret, downwardAPI and projected volumes (kubelet's volume plugins'
 * payload makers): all keys or the listed items, each with its mode (item mode, else defaultMode).
 */

export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
  /** The volume that failed, for the kubelet's `MountVolume.SetUp failed for volume "x" : ...`. */
  volume?: string;
}

interface Ctx {
  pod: Pod;
  lookup: ObjectLookup;
  allocatable: { cpu: string; memory: string };
  /** serviceAccountToken sources' tokens by path, fetched beforehand (volume-manager.ts). */
  tokens?: ReadonlyMap<string, Buffer>;
}

function fromData(
  kind: 'configmap' | 'secret', name: string, data: Record<string, Buffer> | undefined, items: KeyToPath[] | undefined,
  defaultMode: number, optional: boolean | undefined,
): FileProjection[] {
  if (!data) {
    if (optional) return [];
    throw new VolumeSetupError(`${kind} "${name}" not found`);
  }
  if (!items?.length) return Object.entries(data).map(([k, v]) => ({ path: k, data: v, mode: defaultMode }));
  const out: FileProjection[] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(kind === 'secret' ? `references non-existent secret key: ${it.key}` : `configmap references non-existent config key: ${it.key}`);
    }
    out.push({ path: it.path, data: v, mode: it.mode ?? defaultMode });
  }
  return out;
}

function configMapData(ctx: Ctx, name: string): Record<string, Buffer> | undefined {
  const cm = ctx.lookup.configMap(ctx.pod.metadata.namespace ?? 'default', name);
  if (!cm) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function secretData(ctx: Ctx, name: string): Record<string, Buffer> | undefined {
  const s = ctx.lookup.secret(ctx.pod.metadata.namespace ?? 'default', name);
  if (!s) return undefined;
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

type DownwardItem = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];

function downward(ctx: Ctx, items: DownwardItem[] | undefined, defaultMode: number): FileProjection[] {
  return (items ?? []).map((it) => {
    let value: string;
    if (it.fieldRef) value = fieldRefValue(ctx.pod, it.fieldRef.fieldPath ?? '');
    else if (it.resourceFieldRef) {
      const c = (ctx.pod.spec?.containers ?? []).find((x) => x.name === it.resourceFieldRef!.containerName) ?? ctx.pod.spec!.containers[0]!;
      value = resourceFieldValue(c, it.resourceFieldRef.resource ?? '', it.resourceFieldRef.divisor, ctx.allocatable);
    } else value = '';
    return { path: it.path, data: Buffer.from(value), mode: it.mode ?? defaultMode };
  });
}

/** Files for a projection-type volume, or undefined for other volume types. */
export function projectedFiles(v: Volume, ctx: Ctx): FileProjection[] | undefined {
  if (v.configMap) {
    const name = v.configMap.name ?? '';
    return fromData('configmap', name, configMapData(ctx, name), v.configMap.items, v.configMap.defaultMode ?? 0o644, v.configMap.optional);
  }
  if (v.secret) {
    const name = v.secret.secretName ?? '';
    return fromData('secret', name, secretData(ctx, name), v.secret.items, v.secret.defaultMode ?? 0o644, v.secret.optional);
  }
  if (v.downwardAPI) return downward(ctx, v.downwardAPI.items, v.downwardAPI.defaultMode ?? 0o644);
  if (v.projected) {
    const mode = v.projected.defaultMode ?? 0o644;
    const out: FileProjection[] = [];
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) out.push(...fromData('configmap', src.configMap.name ?? '', configMapData(ctx, src.configMap.name ?? ''), src.configMap.items, mode, src.configMap.optional));
      else if (src.secret) out.push(...fromData('secret', src.secret.name ?? '', secretData(ctx, src.secret.name ?? ''), src.secret.items, mode, src.secret.optional));
      else if (src.downwardAPI) out.push(...downward(ctx, src.downwardAPI.items, mode));
      else if (src.serviceAccountToken) {
        const path = src.serviceAccountToken.path ?? '';
        const token = ctx.tokens?.get(path);
        if (!token) throw new VolumeSetupError(`failed to fetch token for path ${JSON.stringify(path)}`);
        out.push({ path, data: token, mode });
      }
    }
    return out;
  }
  return undefined;
}

/** Whether the volume type should live on tmpfs (secrets never touch disk, as in kubelet). */
export function wantsTmpfs(v: Volume): boolean {
  return !!v.secret || !!v.projected || v.emptyDir?.medium === 'Memory';
}
