/**
 * networking.k8s.io/v1 IngressClass as upstream v1.32: SetDefaults_IngressClass (parameters.scope
 * Cluster), ValidateIngressClass (spec.controller required, at most 250 bytes, a domain-prefixed
 * path; the parameters reference) and ValidateIngressClassUpdate (controller immutable), printed
 * as printIngressClass: NAME, CONTROLLER, PARAMETERS, AGE. The DefaultIngressClass admission reads
 * IS_DEFAULT_INGRESS_CLASS from these objects.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { child, fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col, NONE } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { pathSegmentNameErrors } from '../rbac/policy-rule.js';

export { IS_DEFAULT_INGRESS_CLASS } from './annotations.js';

const NET = 'io.k8s.api.networking.v1';
const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ['Cluster', 'Namespace'] as const;
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${HTTP_PATH_FMT}$`);

export const ingressClassParametersReferenceSchema = s.object({
  apiGroup: s.string('apiGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.'),
  kind: s.string('kind is the type of resource being referenced.'),
  name: s.string('name is the name of resource being referenced.'),
  scope: s.string('scope represents if this refers to a cluster or namespace scoped resource. This may be set to "Cluster" (default) or "Namespace".'),
  namespace: s.string('namespace is the namespace of the resource being referenced. This field is required when scope is set to "Namespace" and must be unset when scope is set to "Cluster".'),
}, { name: `${NET}.IngressClassParametersReference`, required: ['kind', 'name'], description: 'IngressClassParametersReference identifies an API object. This can be used to specify a cluster or namespace-scoped resource.' });

export const ingressClassSpecSchema = s.object({
  controller: s.string('controller refers to the name of the controller that should handle this class. This allows for different "flavors" that are controlled by the same controller. For example, you may have different parameters for the same implementing controller. This should be specified as a domain-prefixed path no more than 250 characters in length, e.g. "acme.io/ingress-controller". This field is immutable.'),
  parameters: { ...ingressClassParametersReferenceSchema, description: 'parameters is a link to a custom resource containing additional configuration for the controller. This is optional if the controller does not require extra parameters.' },
}, { name: `${NET}.IngressClassSpec`, description: 'IngressClassSpec provides information about the class of an Ingress.' });

export const ingressClassSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...ingressClassSpecSchema, description: 'spec is the desired state of the IngressClass. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${NET}.IngressClass`, gvk: gvk('networking.k8s.io', 'v1', 'IngressClass'), description: 'IngressClass represents the class of the Ingress, referenced by the Ingress Spec. The `ingressclass.kubernetes.io/is-default-class` annotation can be used to indicate that an IngressClass should be considered default. When a single IngressClass resource has this annotation set to true, new Ingress resources without a class specified will be assigned this default class.' });

export type IngressClass = Infer<typeof ingressClassSchema> & { metadata: ObjectMeta };
type Parameters = Infer<typeof ingressClassParametersReferenceSchema>;

/** validation.IsDomainPrefixedPath (apimachinery util/validation). */
export function validateDomainPrefixedPath(path: string, value: string): FieldError[] {
  if (!value) return [fe.required(path)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? '' : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (!host || !rest) return [fe.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => fe.invalid(path, host, m));
  if (!httpPathRe.test(rest)) errs.push(fe.invalid(path, rest, `Invalid path (regex used for validation is '${HTTP_PATH_FMT}')`));
  return errs;
}

/** validateIngressClassParametersReference. */
function validateParameters(p: Parameters, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.apiGroup !== undefined) for (const m of isDNS1123Subdomain(p.apiGroup)) errs.push(fe.invalid(child(path, 'apiGroup'), p.apiGroup, m));
  for (const m of pathSegmentNameErrors(p.kind)) errs.push(fe.invalid(child(path, 'kind'), p.kind, m));
  for (const m of pathSegmentNameErrors(p.name)) errs.push(fe.invalid(child(path, 'name'), p.name, m));
  const scope = p.scope;
  if (scope === undefined) return [...errs, fe.required(child(path, 'scope'))];
  if (!(SCOPES as readonly string[]).includes(scope)) errs.push(fe.notSupported(child(path, 'scope'), scope, SCOPES));
  if (scope === 'Namespace') {
    if (p.namespace === undefined) errs.push(fe.required(child(path, 'namespace'), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Label(p.namespace)) errs.push(fe.invalid(child(path, 'namespace'), p.namespace, m));
  }
  if (scope === 'Cluster' && p.namespace !== undefined) errs.push(fe.forbidden(child(path, 'namespace'), "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

/** validateIngressClassSpec. */
function validateIngressClass(ic: IngressClass): FieldError[] {
  const controller = ic.spec?.controller ?? '';
  const errs: FieldError[] = [];
  if (!controller) errs.push(fe.required('spec.controller'));
  else {
    if (Buffer.byteLength(controller) > MAX_CONTROLLER_LENGTH) errs.push(fe.tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
    errs.push(...validateDomainPrefixedPath('spec.controller', controller));
  }
  if (ic.spec?.parameters) errs.push(...validateParameters(ic.spec.parameters, 'spec.parameters'));
  return errs;
}

export const ingressClasses = defineKind<IngressClass>({
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false,
  schema: ingressClassSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (ic) => {
    if (ic.spec?.parameters) ic.spec.parameters.scope ??= 'Cluster';
  },
  validate: validateIngressClass,
  validateUpdate: (ic, old) => (ic.spec?.controller !== old.spec?.controller ? [fe.invalid('spec.controller', ic.spec?.controller ?? '', 'field is immutable')] : []),
  tracksGeneration: true,
  columns: [
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
  ],
  cells: (ic) => {
    const p = ic.spec?.parameters;
    return [ic.spec?.controller ?? '', p ? `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}` : NONE];
  },
});
