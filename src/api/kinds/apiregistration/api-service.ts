/**
 * apiregistration.k8s.io/v1 APIService as kube-aggregator serves it (pkg/apis/apiregistration/v1,
 * validation/validation.go): which server hosts one group/version. `spec.service` absent means the
 * API server itself (a "Local" APIService); otherwise requests under /apis/<group>/<version> are
 * proxied to that Service (src/apiserver/aggregator). Printed as the aggregator's ConvertToTable:
 * NAME, SERVICE ("Local" or namespace/name), AVAILABLE ("True", or "False (Reason)"), AGE.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { nameIsPathSegment } from '../rbac/policy-rule.js';

const V1 = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

export const apiServiceServiceSchema = s.object({
  namespace: s.string('Namespace is the namespace of the service'),
  name: s.string('Name is the name of the service'),
  port: s.int('If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).'),
}, { name: `${V1}.ServiceReference`, description: 'ServiceReference holds a reference to Service.legacy.k8s.io' });

export const apiServiceSpecSchema = s.object({
  service: { ...apiServiceServiceSchema, description: 'Service is a reference to the service for this API server.  It must communicate on port 443. If the Service is nil, that means the handling for the API groupversion is handled locally on this server. The call will simply delegate to the normal handler chain to be fulfilled.' },
  group: s.string('Group is the API group name this server hosts'),
  version: s.string('Version is the API version this server hosts.  For example, "v1"'),
  insecureSkipTLSVerify: s.bool('InsecureSkipTLSVerify disables TLS certificate verification when communicating with this server. This is strongly discouraged.  You should use the CABundle instead.'),
  caBundle: s.bytes("CABundle is a PEM encoded CA bundle which will be used to validate an API server's serving certificate. If unspecified, system trust roots on the apiserver are used."),
  groupPriorityMinimum: s.int("GroupPriorityMinimum is the priority this group should have at least. Higher priority means that the group is preferred by clients over lower priority ones. Note that other versions of this group might specify even higher GroupPriorityMinimum values such that the whole group gets a higher priority. The primary sort is based on GroupPriorityMinimum, ordered highest number to lowest (20 before 10). The secondary sort is based on the alphabetical comparison of the name of the object.  (v1.bar before v1.foo) We'd recommend something like: *.k8s.io (except extensions) at 18000 and PaaSes (OpenShift, Deis) are recommended to be in the 2000s"),
  versionPriority: s.int('VersionPriority controls the ordering of this API version inside of its group.  Must be greater than zero. The primary sort is based on VersionPriority, ordered highest to lowest (20 before 10). Since it\'s inside of a group, the number can be small, probably in the 10s. In case of equal version priorities, the version string will be used to compute the order inside a group. If the version string is "kube-like", it will sort above non "kube-like" version strings, which are ordered lexicographically. "Kube-like" versions start with a "v", then are followed by a number (the major version), then optionally the string "alpha" or "beta" and another number (the minor version). These are sorted first by GA > beta > alpha (where GA is a version with no suffix such as beta or alpha), and then by comparing major version, then minor version. An example sorted list of versions: v10, v2, v1, v11beta2, v10beta3, v3beta1, v12alpha1, v11alpha2, foo1, foo10.'),
}, { name: `${V1}.APIServiceSpec`, required: ['groupPriorityMinimum', 'versionPriority'], description: 'APIServiceSpec contains information for locating and communicating with a server. Only https is supported, though you are able to disable certificate verification.' });

export const apiServiceConditionSchema = s.object({
  type: s.string('Type is the type of the condition.'),
  status: s.string('Status is the status of the condition. Can be True, False, Unknown.'),
  lastTransitionTime: s.time('Last time the condition transitioned from one status to another.'),
  reason: s.string("Unique, one-word, CamelCase reason for the condition's last transition."),
  message: s.string('Human-readable message indicating details about last transition.'),
}, { name: `${V1}.APIServiceCondition`, required: ['type', 'status'], description: 'APIServiceCondition describes the state of an APIService at a particular point' });

export const apiServiceStatusSchema = s.object({
  conditions: s.array(apiServiceConditionSchema, { description: 'Current service state of apiService.', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${V1}.APIServiceStatus`, description: 'APIServiceStatus contains derived information about an API server' });

export const apiServiceSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...apiServiceSpecSchema, description: 'Spec contains information for locating and communicating with a server' },
  status: { ...apiServiceStatusSchema, description: 'Status contains derived information about an API server' },
}, { name: `${V1}.APIService`, gvk: gvk('apiregistration.k8s.io', 'v1', 'APIService'), description: 'APIService represents a server for a particular GroupVersion. Name must be "version.group".' });

export type APIService = Infer<typeof apiServiceSchema> & { metadata: ObjectMeta };
export type APIServiceSpec = Infer<typeof apiServiceSpecSchema>;
export type APIServiceCondition = Infer<typeof apiServiceConditionSchema>;

/** ValidateAPIService: the name is version.group, group and version well formed, priorities in range, TLS settings consistent. */
export function validateAPIService(a: APIService): FieldError[] {
  const spec: Partial<APIServiceSpec> = a.spec ?? {};
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  const errs: FieldError[] = [];
  const required = `${version}.${group}`;
  const name = a.metadata?.name ?? '';
  if (name && name !== required) errs.push(fe.invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: "${required}"`));
  if (!group && version !== 'v1') errs.push(fe.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(fe.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(fe.invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(fe.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(fe.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caBytes = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').length : 0;
  if (!spec.service) {
    if (caBytes) errs.push(fe.invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(fe.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(fe.required('spec.service.namespace', ''));
  if (!spec.service.name) errs.push(fe.required('spec.service.name', ''));
  if (spec.insecureSkipTLSVerify && caBytes) errs.push(fe.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

/** ValidateAPIServiceStatus: each condition's status True, False or Unknown. */
function validateStatus(a: APIService): FieldError[] {
  return (a.status?.conditions ?? []).flatMap((c, i) =>
    (CONDITION_STATUSES as readonly string[]).includes(c.status ?? '') ? [] : [fe.notSupported(`status.conditions[${i}].status`, c.status, [...CONDITION_STATUSES])]);
}

/** The AVAILABLE cell: the Available condition's status, with its reason when not True; Unknown without one. */
export function availableCell(a: APIService): string {
  const c = a.status?.conditions?.find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status !== 'True' && c.reason ? `${c.status} (${c.reason})` : c.status ?? 'Unknown';
}

export const apiServices = defineKind<APIService>({
  group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false,
  categories: ['api-extensions'], subresources: ['status'], hasStatusSubresource: true,
  schema: apiServiceSchema, nameValidator: nameIsPathSegment,
  // SetDefaults_ServiceReference: the port is 443 unless given.
  defaults: (a) => {
    if (a.spec?.service && a.spec.service.port === undefined) a.spec.service.port = 443;
  },
  validate: (a) => [...validateAPIService(a), ...validateStatus(a)],
  columns: [
    col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 'Whether this service is available.'),
  ],
  cells: (a) => [a.spec?.service ? `${a.spec.service.namespace ?? ''}/${a.spec.service.name ?? ''}` : 'Local', availableCell(a)],
});
