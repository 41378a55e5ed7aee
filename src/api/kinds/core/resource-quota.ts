/**
 * core/v1 ResourceQuota: spec.hard (and scopes / scopeSelector), status hard/used written by the
 * quota admission and the resource quota controller. Validation as upstream's ValidateResourceQuota
 * (pkg/apis/core/validation/validation.go): non-negative quantities, known scopes, scopes that fit the
 * quota's resources. Table as upstream's printResourceQuota: REQUEST and LIMIT list `name: used/hard`.
 */
import type { ObjectMeta } from '../../meta.js';
import { parseQuantity } from '../../quantity/index.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const V1 = 'io.k8s.api.core.v1';
export const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'] as const;
export const SCOPE_OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'] as const;

const resourceList = (description: string) => s.map(s.quantity(), description);

export const scopedResourceSelectorRequirementSchema = s.object({
  scopeName: s.string({ enum: QUOTA_SCOPES, description: 'The name of the scope that the selector applies to.' }),
  operator: s.string({ enum: SCOPE_OPERATORS, description: "Represents a scope's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist." }),
  values: s.array(s.string(), { description: 'An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.', listType: 'atomic' }),
}, { name: `${V1}.ScopedResourceSelectorRequirement`, required: ['scopeName', 'operator'], description: 'A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.' });

export const resourceQuotaSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    hard: resourceList('hard is the set of desired hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/'),
    scopes: s.array(s.string({ enum: QUOTA_SCOPES }), { description: 'A collection of filters that must match each object tracked by a quota. If not specified, the quota matches all objects.', listType: 'atomic' }),
    scopeSelector: s.object({
      matchExpressions: s.array(scopedResourceSelectorRequirementSchema, { description: 'A list of scope selector requirements by scope of the resources.', listType: 'atomic' }),
    }, { name: `${V1}.ScopeSelector`, mapType: 'atomic', description: 'A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.' }),
  }, { name: `${V1}.ResourceQuotaSpec`, description: 'ResourceQuotaSpec defines the desired hard limits to enforce for Quota.' }),
  status: s.object({
    hard: resourceList('Hard is the set of enforced hard limits for each named resource. More info: https://kubernetes.io/docs/concepts/policy/resource-quotas/'),
    used: resourceList('Used is the current observed total usage of the resource in the namespace.'),
  }, { name: `${V1}.ResourceQuotaStatus`, description: 'ResourceQuotaStatus defines the enforced hard limits and observed use.' }),
}, { name: `${V1}.ResourceQuota`, gvk: gvk('', 'v1', 'ResourceQuota'), description: 'ResourceQuota sets aggregate quota restrictions enforced per namespace' });

export type ResourceQuota = Infer<typeof resourceQuotaSchema> & { metadata: ObjectMeta };
export type ResourceList = Record<string, string>;

/** Quota resource names a scope can govern (upstream's pod-scope check in validateResourceQuotaScopes). */
const POD_SCOPE_RESOURCES = new Set(['pods', 'count/pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage']);

function validateQuantities(list: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    try {
      if (parseQuantity(String(v)).milliValue() < 0n) errs.push(fe.invalid(`${path}[${k}]`, String(v), 'must be greater than or equal to 0'));
    } catch {
      // the schema reported the malformed quantity
    }
  }
  return errs;
}

/** The scopes of a quota: spec.scopes plus the scopeSelector's scope names. */
export function quotaScopes(rq: Pick<ResourceQuota, 'spec'>): string[] {
  return [...(rq.spec?.scopes ?? []), ...(rq.spec?.scopeSelector?.matchExpressions ?? []).map((e) => e.scopeName ?? '')];
}

function validateScopes(rq: ResourceQuota): FieldError[] {
  const errs: FieldError[] = [];
  const scopes = quotaScopes(rq);
  if (scopes.length === 0) return errs;
  for (const name of Object.keys(rq.spec?.hard ?? {})) {
    const podResource = POD_SCOPE_RESOURCES.has(name) || name.startsWith('requests.') || name.startsWith('limits.');
    if (!podResource) errs.push(fe.invalid('spec.hard', name, 'unsupported scope applied to resource'));
  }
  const set = new Set(scopes);
  if ((set.has('BestEffort') && set.has('NotBestEffort')) || (set.has('Terminating') && set.has('NotTerminating'))) {
    errs.push(fe.invalid('spec.scopes', rq.spec?.scopes ?? [], 'conflicting scopes'));
  }
  (rq.spec?.scopeSelector?.matchExpressions ?? []).forEach((e, i) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`;
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) errs.push(fe.required(`${p}.values`, 'must be at least one value when `operator` is \'In\' or \'NotIn\' for scope selector'));
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) errs.push(fe.invalid(`${p}.values`, values, 'must be no value when `operator` is \'Exist\' or \'DoesNotExist\' for scope selector'));
    if (e.scopeName !== 'PriorityClass' && e.scopeName !== 'CrossNamespacePodAffinity' && e.operator !== 'Exists') {
      errs.push(fe.invalid(`${p}.operator`, e.operator ?? '', `must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity`));
    }
  });
  return errs;
}

function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  return [
    ...validateQuantities(rq.spec?.hard, 'spec.hard'),
    ...validateQuantities(rq.status?.hard, 'status.hard'),
    ...validateQuantities(rq.status?.used, 'status.used'),
    ...validateScopes(rq),
  ];
}

/** printResourceQuota's REQUEST and LIMIT cells: status.hard sorted, `limits.*` in LIMIT. */
export function quotaCells(rq: ResourceQuota): [string, string] {
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(rq.status?.hard ?? {}).sort()) {
    const used = rq.status?.used?.[name] ?? '0';
    const cell = `${name}: ${used}/${rq.status?.hard?.[name]}`;
    (name.split('.')[0] === 'limits' && name.includes('.') ? limit : request).push(cell);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourceQuotas = defineKind<ResourceQuota>({
  group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'],
  subresources: ['status'], hasStatusSubresource: true,
  schema: resourceQuotaSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateResourceQuota,
  columns: [
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  ageAt: 0,
  cells: (rq) => quotaCells(rq),
  protobufMessage: 'k8s.io.api.core.v1.ResourceQuota',
});
