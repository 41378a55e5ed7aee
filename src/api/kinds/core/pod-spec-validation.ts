/**
 * ValidatePodSpec (pkg/apis/core/validation): the rules a schema cannot state. Runs wherever a
 * PodSpec appears (pods and every workload template), after structural validation passed.
 */
import { child, fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName } from '../meta/names.js';
import { validateLabels } from '../meta/validation.js';
import type { Container, ContainerPort, EnvVar, VolumeMount } from './container.js';
import { validateEphemeralOnly } from './ephemeral-container-validation.js';
import type { Probe } from './probe.js';
import { validateResourceRequirements } from './resources-validation.js';
import { validateSecurityProfiles } from './security-context-validation.js';
import type { Volume } from './volume.js';
import { validateSubPaths, validateVolumeSource } from './volume-validation.js';

const VOLUME_SOURCE_KEYS = (v: Volume) => Object.keys(v).filter((k) => k !== 'name' && (v as Record<string, unknown>)[k] != null);

function validateVolumes(volumes: Volume[], path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = index(path, i);
    for (const m of isDNS1123Label(v.name)) errs.push(fe.invalid(child(p, 'name'), v.name, m));
    if (names.has(v.name)) errs.push(fe.duplicate(child(p, 'name'), v.name));
    names.add(v.name);
    const sources = VOLUME_SOURCE_KEYS(v);
    if (sources.length === 0) errs.push(fe.required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(fe.forbidden(child(p, extra), 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) errs.push(fe.required(child(child(p, 'hostPath'), 'path')));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(fe.required(child(child(p, 'persistentVolumeClaim'), 'claimName')));
    if (v.secret && !v.secret.secretName) errs.push(fe.required(child(child(p, 'secret'), 'secretName')));
    errs.push(...validateVolumeSource(v, p));
  });
  return { errs, names };
}

function validatePort(port: number | undefined, path: string): FieldError[] {
  if (port === undefined) return [];
  return port < 1 || port > 65535 ? [fe.invalid(path, port, 'must be between 1 and 65535, inclusive')] : [];
}

function validatePorts(ports: ContainerPort[], path: string, seenNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  ports.forEach((port, i) => {
    const p = index(path, i);
    if (port.name) {
      for (const m of isValidPortName(port.name)) errs.push(fe.invalid(child(p, 'name'), port.name, m));
      if (seenNames.has(port.name)) errs.push(fe.duplicate(child(p, 'name'), port.name));
      seenNames.add(port.name);
    }
    if (port.containerPort === 0) errs.push(fe.required(child(p, 'containerPort')));
    else errs.push(...validatePort(port.containerPort, child(p, 'containerPort')));
    if (port.hostPort) errs.push(...validatePort(port.hostPort, child(p, 'hostPort')));
  });
  return errs;
}

function validateEnv(env: EnvVar[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const p = index(path, i);
    // RelaxedEnvironmentVariableValidation (on by default since 1.32): printable ASCII but '='.
    if (!/^[\x20-\x7e]+$/.test(e.name) || e.name.includes('=')) {
      errs.push(fe.invalid(child(p, 'name'), e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
    if (e.valueFrom) {
      const vf = e.valueFrom;
      const n = [vf.fieldRef, vf.resourceFieldRef, vf.configMapKeyRef, vf.secretKeyRef].filter((x) => x != null).length;
      if (e.value) errs.push(fe.invalid(child(p, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
      if (n === 0) errs.push(fe.invalid(child(p, 'valueFrom'), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (n > 1) errs.push(fe.invalid(child(p, 'valueFrom'), '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateMounts(mounts: VolumeMount[], path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const p = index(path, i);
    if (!volumes.has(m.name)) errs.push({ type: 'FieldValueNotFound', field: child(p, 'name'), detail: `Not found: ${JSON.stringify(m.name)}` });
    if (paths.has(m.mountPath)) errs.push(fe.invalid(child(p, 'mountPath'), m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    if (m.subPath && m.subPathExpr) errs.push(fe.invalid(child(p, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    errs.push(...validateSubPaths(m, p));
  });
  return errs;
}

function validateProbe(probe: Probe | undefined, path: string, successMustBeOne: boolean): FieldError[] {
  if (!probe) return [];
  const errs: FieldError[] = [];
  const handlers = [probe.exec, probe.httpGet, probe.tcpSocket, probe.grpc].filter((h) => h != null).length;
  if (handlers === 0) errs.push(fe.required(path, 'must specify a handler type'));
  else if (handlers > 1) errs.push(fe.forbidden(path, 'may not specify more than 1 handler type'));
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(child(path, k), v, 'must be greater than or equal to 0'));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(fe.invalid(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateContainers(cs: Container[], path: string, volumes: Set<string>, names: Set<string>, portNames: Set<string>, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  cs.forEach((c, i) => {
    const p = index(path, i);
    for (const m of isDNS1123Label(c.name)) errs.push(fe.invalid(child(p, 'name'), c.name, m));
    if (names.has(c.name)) errs.push(fe.duplicate(child(p, 'name'), c.name));
    names.add(c.name);
    if (!c.image) errs.push(fe.required(child(p, 'image')));
    if (c.image && c.image.trim() !== c.image) errs.push(fe.invalid(child(p, 'image'), c.image, 'must not have leading or trailing whitespace'));
    errs.push(...validatePorts(c.ports ?? [], child(p, 'ports'), portNames));
    errs.push(...validateEnv(c.env ?? [], child(p, 'env')));
    errs.push(...validateMounts(c.volumeMounts ?? [], child(p, 'volumeMounts'), volumes));
    errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), true));
    errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), true));
    errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), false));
    errs.push(...validateResourceRequirements(c.resources as Parameters<typeof validateResourceRequirements>[0], child(p, 'resources')));
    if (c.restartPolicy !== undefined) {
      if (!init) errs.push(fe.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
      else if (c.restartPolicy !== 'Always') errs.push(fe.notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
  });
  return errs;
}

/** The PodSpec validator. `path` is where the spec sits (`spec`, `spec.template.spec`). */
export function validatePodSpec(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes ?? [], child(path, 'volumes'));
  errs.push(...volErrs);
  if ((spec.containers ?? []).length === 0) errs.push(fe.required(child(path, 'containers')));
  const names = new Set<string>();
  const portNames = new Set<string>();
  errs.push(...validateContainers(spec.initContainers ?? [], child(path, 'initContainers'), volumes, names, portNames, true));
  errs.push(...validateContainers(spec.containers ?? [], child(path, 'containers'), volumes, names, portNames, false));
  // validateEphemeralContainers: the common container checks (names unique among all containers;
  // ports have their own set, being forbidden anyway), then the ephemeral-only ones.
  const targets = new Set(names);
  errs.push(...validateContainers(spec.ephemeralContainers ?? [], child(path, 'ephemeralContainers'), volumes, names, new Set(), false));
  errs.push(...validateEphemeralOnly(spec.ephemeralContainers ?? [], child(path, 'ephemeralContainers'), targets));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(fe.invalid(child(path, 'terminationGracePeriodSeconds'), spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds < 1) {
    errs.push(fe.invalid(child(path, 'activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  for (const k of ['hostname', 'subdomain'] as const) {
    if (spec[k]) for (const m of isDNS1123Label(spec[k])) errs.push(fe.invalid(child(path, k), spec[k], m));
  }
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(fe.invalid(child(path, 'serviceAccountName'), spec.serviceAccountName, m));
  }
  (spec.tolerations ?? []).forEach((t: any, i: number) => {
    const p = index(child(path, 'tolerations'), i);
    if (!t.key && t.operator !== 'Exists') errs.push(fe.invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.operator === 'Exists' && t.value) errs.push(fe.invalid(child(p, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') errs.push(fe.invalid(child(p, 'effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
  });
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.push(fe.required(child(path, 'dnsConfig'), "must provide `dnsConfig` when `dnsPolicy` is None"));
  errs.push(...validateSecurityProfiles(spec, path));
  return errs;
}
