import type { Container, Pod } from '../../api/kinds/index.js';
import type { KeyValue } from '../runtime/types.js';
import { ContainerConfigError, fieldRefValue, resourceFieldValue } from '../downward-api/field-values.js';
import type { ObjectLookup } from '../downward-api/object-lookup.js';
import { serviceEnvVars, type ServiceEnvSource } from './service-env.js';

/**
 * A container's environment (kubelet makeEnvironmentVariables): the Services' variables as the base
 * (service-env.ts), then envFrom (later sources win), then env (which wins over both), with $(VAR)
 * expansion against what came before. A missing
 * non-optional ConfigMap, Secret or key is a CreateContainerConfigError with upstream's message.
 */

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

export interface EnvContext {
  pod: Pod;
  lookup: ObjectLookup;
  podIP: string;
  hostIP: string;
  allocatable: { cpu: string; memory: string };
  /** The Services the agent has read (undefined before its first list); absent: no service variables. */
  services?: () => ServiceEnvSource[] | undefined;
}

export function containerEnv(c: Container, ctx: EnvContext): KeyValue[] {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const vars: Record<string, string> = {};
  const order: string[] = [];
  const set = (k: string, v: string) => {
    if (!(k in vars)) order.push(k);
    vars[k] = v;
  };
  if (ctx.services) {
    const services = ctx.services();
    // As the kubelet: env is fixed at container creation, so it is not made from an unread cache.
    if (!services) throw new ContainerConfigError('services have not yet been read at least once, cannot construct envvars');
    for (const v of serviceEnvVars(ns, ctx.pod.spec?.enableServiceLinks !== false, services)) set(v.name, v.value);
  }
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
