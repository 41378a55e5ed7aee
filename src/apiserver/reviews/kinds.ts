/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview: create-only kinds
 * that are never stored (upstream's shapes and descriptions, trimmed). Their definitions give
 * discovery, OpenAPI and body checks what every served kind gives them.
 */
import { defineKind, gvk } from '../../api/kinds/define.js';
import { nameIsDNSSubdomain } from '../../api/kinds/meta/names.js';
import { standardMetadata, typeMeta } from '../../api/kinds/meta/object-meta.js';
import type { KubeObject } from '../../api/meta.js';
import { s } from '../../api/schema/builders.js';

const PKG = 'io.k8s.api.authorization.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const selectorRequirement = (kind: 'Field' | 'Label') => s.object({
  key: s.string('key is the label or field key that the selector applies to.'),
  operator: s.string('operator represents a key\'s relationship to a set of values.'),
  values: s.strings('values is an array of string values.'),
}, { name: `${META}.${kind}SelectorRequirement`, required: ['key', 'operator'], description: `${kind}SelectorRequirement is a selector that contains values, a key, and an operator that relates the key and values.` });

const selectorAttributes = (kind: 'Field' | 'Label') => s.object({
  rawSelector: s.string('rawSelector is the serialization of a selector that would be included in a query parameter.'),
  requirements: s.array(selectorRequirement(kind), { description: 'requirements is the parsed interpretation of a selector.', listType: 'atomic' }),
}, { name: `${PKG}.${kind}SelectorAttributes`, description: `${kind}SelectorAttributes indicates a ${kind.toLowerCase()} limited access.` });

export const accessResourceAttributesSchema = s.object({
  namespace: s.string('Namespace is the namespace of the action being requested. "" (empty) is defaulted for LocalSubjectAccessReviews, means "all" for cluster scoped resources and "all namespaces" for namespace scoped resources.'),
  verb: s.string('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
  group: s.string('Group is the API Group of the Resource.  "*" means all.'),
  version: s.string('Version is the API Version of the Resource.  "*" means all.'),
  resource: s.string('Resource is one of the existing resource types.  "*" means all.'),
  subresource: s.string('Subresource is one of the existing resource types.  "" means none.'),
  name: s.string('Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.'),
  fieldSelector: selectorAttributes('Field'),
  labelSelector: selectorAttributes('Label'),
}, { name: `${PKG}.ResourceAttributes`, description: 'ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface' });

export const nonResourceAttributesSchema = s.object({
  path: s.string('Path is the URL path of the request'),
  verb: s.string('Verb is the standard HTTP verb'),
}, { name: `${PKG}.NonResourceAttributes`, description: 'NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface' });

export const accessStatusSchema = s.object({
  allowed: s.bool('Allowed is required. True if the action would be allowed, false otherwise.'),
  denied: s.bool('Denied is optional. True if the action would be denied, otherwise false.'),
  reason: s.string('Reason is optional.  It indicates why a request was allowed or denied.'),
  evaluationError: s.string('EvaluationError is an indication that some error occurred during the authorization check.'),
}, { name: `${PKG}.SubjectAccessReviewStatus`, required: ['allowed'], description: 'SubjectAccessReviewStatus' });

export const selfSubjectAccessReviewSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    resourceAttributes: accessResourceAttributesSchema,
    nonResourceAttributes: nonResourceAttributesSchema,
  }, { name: `${PKG}.SelfSubjectAccessReviewSpec`, description: 'SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set' }),
  status: accessStatusSchema,
}, { name: `${PKG}.SelfSubjectAccessReview`, required: ['spec'], gvk: gvk('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview'), description: 'SelfSubjectAccessReview checks whether or the current user can perform an action.  Not filling in a spec.namespace means "in all namespaces".  Self is a special case, because users should always be able to check whether they can perform an action' });

const resourceRuleSchema = s.object({
  verbs: s.strings('Verb is a list of kubernetes resource API verbs, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
  apiGroups: s.strings('APIGroups is the name of the APIGroup that contains the resources.  "*" means all.'),
  resources: s.strings('Resources is a list of resources this rule applies to.  "*" means all in the specified apiGroups.'),
  resourceNames: s.strings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.  "*" means all.'),
}, { name: `${PKG}.ResourceRule`, required: ['verbs'], description: 'ResourceRule is the list of actions the subject is allowed to perform on resources.' });

const nonResourceRuleSchema = s.object({
  verbs: s.strings('Verb is a list of kubernetes non-resource API verbs, like: get, post, put, delete, patch, head, options.  "*" means all.'),
  nonResourceURLs: s.strings('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path.  "*" means all.'),
}, { name: `${PKG}.NonResourceRule`, required: ['verbs'], description: 'NonResourceRule holds information that describes a rule for the non-resource' });

export const selfSubjectRulesReviewSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    namespace: s.string('Namespace to evaluate rules for. Required.'),
  }, { name: `${PKG}.SelfSubjectRulesReviewSpec`, description: 'SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.' }),
  status: s.object({
    resourceRules: s.array(resourceRuleSchema, { description: 'ResourceRules is the list of actions the subject is allowed to perform on resources.', listType: 'atomic' }),
    nonResourceRules: s.array(nonResourceRuleSchema, { description: 'NonResourceRules is the list of actions the subject is allowed to perform on non-resources.', listType: 'atomic' }),
    incomplete: s.bool('Incomplete is true when the rules returned by this call are incomplete.'),
    evaluationError: s.string('EvaluationError can appear in combination with Rules. It indicates an error occurred during rule evaluation.'),
  }, { name: `${PKG}.SubjectRulesReviewStatus`, required: ['resourceRules', 'nonResourceRules', 'incomplete'], description: 'SubjectRulesReviewStatus contains the result of a rules check.' }),
}, { name: `${PKG}.SelfSubjectRulesReview`, required: ['spec'], gvk: gvk('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview'), description: 'SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace.' });

export interface SelfSubjectAccessReview extends KubeObject {
  spec?: {
    resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
    nonResourceAttributes?: { path?: string; verb?: string };
  };
  status?: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export interface SelfSubjectRulesReview extends KubeObject {
  spec?: { namespace?: string };
  status?: unknown;
}

const reviewKind = <T extends KubeObject>(kind: string, plural: string, schema: typeof selfSubjectAccessReviewSchema | typeof selfSubjectRulesReviewSchema) =>
  defineKind<T>({
    group: 'authorization.k8s.io', version: 'v1', kind, plural, namespaced: false, verbs: ['create'],
    schema, nameValidator: nameIsDNSSubdomain,
  });

export const selfSubjectAccessReviews = reviewKind<SelfSubjectAccessReview>('SelfSubjectAccessReview', 'selfsubjectaccessreviews', selfSubjectAccessReviewSchema);
export const selfSubjectRulesReviews = reviewKind<SelfSubjectRulesReview>('SelfSubjectRulesReview', 'selfsubjectrulesreviews', selfSubjectRulesReviewSchema);
