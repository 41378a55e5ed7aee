import type { ConfigMap, Container, Pod, Secret } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';
import type { KeyValue } from '../runtime/types.js';

/**
 * A container's environment (kubelet makeEnvironmentVariables): envFrom first (later sources win),
 * then env (which wins over envFrom), with $(VAR) expansion against what came before. A missing
 * non-optional ConfigMap, Secret or key is a CreateContainerConfigError with upstream's message.
 */

export interface ObjectLookup {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** Expands $(VAR) references; $$ escapes; unknown references stay as they are (expansion.MappingFuncFor). */
export function expandVars(input: string, vars: Record<string, string>): string {
  let out = '';
  for (let k = 0; k < input.length; k++) {
    const ch = input[k];
    if (ch !== '$' || k + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[k + 1];
    if (next === '$') {
      out += '$';
      k++;
    } else if (next === '(') {
      const end = input.indexOf(')', k + 2);
      if (end < 0) {
        out += input.slice(k);
        break;
      }
      const name = input.slice(k + 2, end);
      out += name in vars ? vars[name] : `$(${name})`;
      k = end;
    } else out += ch;
  }
  return out;
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** Value of a downward API field path (metadata.name, labels['x'], status.podIP, ...). */
export function fieldRefValue(pod: Pod, fieldPath: string, podIP = '', hostIP = ''): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    case 'status.podIP': case 'status.podIPs': return podIP;
    default: throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** `key="value"` lines, sorted, as the downward API formats labels and annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** Value of a resourceFieldRef (limits.cpu, requests.memory, ...), defaulting limits to node allocatable. */
export function resourceFieldValue(
  c: Pick<Container, 'resources' | 'name'>, resource: string, divisor: string | number | undefined, allocatable: { cpu: string; memory: string },
): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const amount = (kind === 'limits' ? c.resources?.limits?.[name] : c.resources?.requests?.[name])
    ?? (kind === 'limits' ? (allocatable as Record<string, string>)[name] : undefined) ?? '0';
  const q = parseQuantity(String(amount));
  const d = parseQuantity(String(divisor ?? '1'));
  if (d.isZero()) throw new ContainerConfigError(`invalid divisor for ${resource}`);
  // Round up, as upstream's ExtractContainerResourceValue does.
  const num = q.nanos, den = d.nanos;
  const v = num % den === 0n ? num / den : num / den + 1n;
  return v.toString();
}

export interface EnvContext {
  pod: Pod;
  lookup: ObjectLookup;
  podIP: string;
  hostIP: string;
  allocatable: { cpu: string; memory: string };
}

export function containerEnv(c: Container, ctx: EnvContext): KeyValue[] {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const vars: Record<string, string> = {};
  const order: string[] = [];
  const set = (k: string, v: string) => {
    if (!(k in vars)) order.push(k);
    vars[k] = v;
  };
  for (const src of c.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = ctx.lookup.configMap(ns, src.configMapRef.name ?? '');
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) set(prefix + k, v);
    }
    if (src.secretRef) {
      const sec = ctx.lookup.secret(ns, src.secretRef.name ?? '');
      if (!sec) {
        if (src.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${src.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(sec.data ?? {})) set(prefix + k, decode(v));
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      set(e.name, expandVars(e.value ?? '', vars));
      continue;
    }
    if (from.fieldRef) set(e.name, fieldRefValue(ctx.pod, from.fieldRef.fieldPath ?? '', ctx.podIP, ctx.hostIP));
    else if (from.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName
        ? [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find((x) => x.name === from.resourceFieldRef!.containerName) ?? c
        : c;
      set(e.name, resourceFieldValue(target, from.resourceFieldRef.resource ?? '', from.resourceFieldRef.divisor, ctx.allocatable));
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = ctx.lookup.configMap(ns, ref.name ?? '');
      const v = cm?.data?.[ref.key] ?? (cm?.binaryData?.[ref.key] !== undefined ? decode(cm.binaryData[ref.key]!) : undefined);
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      set(e.name, v);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const sec = ctx.lookup.secret(ns, ref.name ?? '');
      const v = sec?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(sec ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      set(e.name, decode(v));
    }
  }
  return order.map((key) => ({ key, value: vars[key]! }));
}
