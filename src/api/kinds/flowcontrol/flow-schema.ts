/**
 * flowcontrol.apiserver.k8s.io/v1 FlowSchema as upstream (pkg/apis/flowcontrol/v1 types, defaults
 * SetDefaults_FlowSchemaSpec: matchingPrecedence 1000; validation in flow-schema-validation.ts),
 * with its status subresource (the Dangling condition the server's flowcontrol config writes).
 * Printed as printFlowSchema: NAME, PRIORITYLEVEL, MATCHINGPRECEDENCE, DISTINGUISHERMETHOD, AGE,
 * MISSINGPL (the Dangling condition's status, `?` without one).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { flowcontrolConditionSchema } from './conditions.js';
import { validateFlowSchema } from './flow-schema-validation.js';

const subjectSchema = s.object({
  kind: s.string('`kind` indicates which one of the other fields is non-empty. Required'),
  user: s.object({ name: s.string('`name` is the username that matches, or "*" to match all usernames. Required.') },
    { name: 'io.k8s.api.flowcontrol.v1.UserSubject', required: ['name'], description: '`user` matches based on username.', typeDescription: 'UserSubject holds detailed information for user-kind subject.' }),
  group: s.object({ name: s.string('name is the user group that matches, or "*" to match all user groups. See https://github.com/kubernetes/apiserver/blob/master/pkg/authentication/user/user.go for some well-known group names. Required.') },
    { name: 'io.k8s.api.flowcontrol.v1.GroupSubject', required: ['name'], description: '`group` matches based on user group name.', typeDescription: 'GroupSubject holds detailed information for group-kind subject.' }),
  serviceAccount: s.object({
    namespace: s.string('`namespace` is the namespace of matching ServiceAccount objects. Required.'),
    name: s.string('`name` is the name of matching ServiceAccount objects, or "*" to match regardless of name. Required.'),
  }, { name: 'io.k8s.api.flowcontrol.v1.ServiceAccountSubject', required: ['namespace', 'name'], description: '`serviceAccount` matches ServiceAccounts.', typeDescription: 'ServiceAccountSubject holds detailed information for service-account-kind subject.' }),
}, { name: 'io.k8s.api.flowcontrol.v1.Subject', required: ['kind'], description: 'Subject matches the originator of a request, as identified by the request authentication system. There are three ways of matching an originator; by user, group, or service account.' });

const resourceRuleSchema = s.object({
  verbs: s.strings({ description: '`verbs` is a list of matching verbs and may not be empty. "*" matches all verbs and, if present, must be the only entry. Required.', listType: 'set' }),
  apiGroups: s.strings({ description: '`apiGroups` is a list of matching API groups and may not be empty. "*" matches all API groups and, if present, must be the only entry. Required.', listType: 'set' }),
  resources: s.strings({ description: '`resources` is a list of matching resources (i.e., lowercase and plural) with, if desired, subresource.  For example, [ "services", "nodes/status" ].  This list may not be empty. "*" matches all resources and, if present, must be the only entry. Required.', listType: 'set' }),
  clusterScope: s.bool('`clusterScope` indicates whether to match requests that do not specify a namespace (which happens either because the resource is not namespaced or the request targets all namespaces). If this field is omitted or false then the `namespaces` field must contain a non-empty list.'),
  namespaces: s.strings({ description: '`namespaces` is a list of target namespaces that restricts matches.  A request that specifies a target namespace matches only if either (a) this list contains that target namespace or (b) this list contains "*".  Note that "*" matches any specified namespace but does not match a request that _does not specify_ a namespace (see the `clusterScope` field for that). This list may be empty, but only if `clusterScope` is true.', listType: 'set' }),
}, { name: 'io.k8s.api.flowcontrol.v1.ResourcePolicyRule', required: ['verbs', 'apiGroups', 'resources'], description: "ResourcePolicyRule is a predicate that matches some resource requests, testing the request's verb and the target resource. A ResourcePolicyRule matches a resource request if and only if: (a) at least one member of verbs matches the request, (b) at least one member of apiGroups matches the request, (c) at least one member of resources matches the request, and (d) either (d1) the request does not specify a namespace (i.e., `Namespace==\"\"`) and clusterScope is true or (d2) the request specifies a namespace and least one member of namespaces matches the request's namespace." });

const nonResourceRuleSchema = s.object({
  verbs: s.strings({ description: '`verbs` is a list of matching verbs and may not be empty. "*" matches all verbs. If it is present, it must be the only entry. Required.', listType: 'set' }),
  nonResourceURLs: s.strings({ description: '`nonResourceURLs` is a set of url prefixes that a user should have access to and may not be empty. For example:\n  - "/healthz" is legal\n  - "/hea*" is illegal\n  - "/hea" is legal but matches nothing\n  - "/hea/*" also matches nothing\n  - "/healthz/*" matches all per-component health checks.\n"*" matches all non-resource urls. if it is present, it must be the only entry. Required.', listType: 'set' }),
}, { name: 'io.k8s.api.flowcontrol.v1.NonResourcePolicyRule', required: ['verbs', 'nonResourceURLs'], description: 'NonResourcePolicyRule is a predicate that matches non-resource requests according to their verb and the target non-resource URL. A NonResourcePolicyRule matches a request if and only if both (a) at least one member of verbs matches the request and (b) at least one member of nonResourceURLs matches the request.' });

export const policyRulesWithSubjectsSchema = s.object({
  subjects: s.array(subjectSchema, { description: 'subjects is the list of normal user, serviceaccount, or group that this rule cares about. There must be at least one member in this slice. A slice that includes both the system:authenticated and system:unauthenticated user groups matches every request. Required.', listType: 'atomic' }),
  resourceRules: s.array(resourceRuleSchema, { description: '`resourceRules` is a slice of ResourcePolicyRules that identify matching requests according to their verb and the target resource. At least one of `resourceRules` and `nonResourceRules` has to be non-empty.', listType: 'atomic' }),
  nonResourceRules: s.array(nonResourceRuleSchema, { description: '`nonResourceRules` is a list of NonResourcePolicyRules that identify matching requests according to their verb and the target non-resource URL.', listType: 'atomic' }),
}, { name: 'io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects', required: ['subjects'], description: 'PolicyRulesWithSubjects prescribes a test that applies to a request to an apiserver. The test considers the subject making the request, the verb being requested, and the resource to be acted upon. This PolicyRulesWithSubjects matches a request if and only if both (a) at least one member of subjects matches the request and (b) at least one member of resourceRules or nonResourceRules matches the request.' });

export const flowSchemaSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "`metadata` is the standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  spec: s.object({
    priorityLevelConfiguration: s.object({ name: s.string('`name` is the name of the priority level configuration being referenced Required.') }, {
      name: 'io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationReference', required: ['name'],
      description: '`priorityLevelConfiguration` should reference a PriorityLevelConfiguration in the cluster. If the reference cannot be resolved, the FlowSchema will be ignored and marked as invalid in its status. Required.',
      typeDescription: 'PriorityLevelConfigurationReference contains information that points to the "request-priority" being used.',
    }),
    matchingPrecedence: s.int('`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
    distinguisherMethod: s.object({ type: s.string('`type` is the type of flow distinguisher method The supported types are "ByUser" and "ByNamespace". Required.') }, {
      name: 'io.k8s.api.flowcontrol.v1.FlowDistinguisherMethod', required: ['type'],
      description: '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.',
      typeDescription: 'FlowDistinguisherMethod specifies the method of a flow distinguisher.',
    }),
    rules: s.array(policyRulesWithSubjectsSchema, { description: '`rules` describes which requests will match this flow schema. This FlowSchema matches a request if and only if at least one member of rules matches the request. if it is an empty slice, there will be no requests matching the FlowSchema.', listType: 'atomic' }),
  }, { name: 'io.k8s.api.flowcontrol.v1.FlowSchemaSpec', required: ['priorityLevelConfiguration'], description: '`spec` is the specification of the desired behavior of a FlowSchema. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', typeDescription: "FlowSchemaSpec describes how the FlowSchema's specification looks like." }),
  status: s.object({
    conditions: s.array(flowcontrolConditionSchema('FlowSchema', 'FlowSchemaCondition describes conditions for a FlowSchema.'), { description: '`conditions` is a list of the current states of FlowSchema.', listType: 'map', listMapKeys: ['type'], patchStrategy: 'merge', patchMergeKey: 'type' }),
  }, { name: 'io.k8s.api.flowcontrol.v1.FlowSchemaStatus', description: '`status` is the current status of a FlowSchema. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status', typeDescription: 'FlowSchemaStatus represents the current state of a FlowSchema.' }),
}, { name: 'io.k8s.api.flowcontrol.v1.FlowSchema', gvk: gvk('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema'), description: 'FlowSchema defines the schema of a group of flows. Note that a flow is made up of a set of inbound API requests with similar attributes and is identified by a pair of strings: the name of the FlowSchema and a "flow distinguisher".' });

export type FlowSchema = Infer<typeof flowSchemaSchema> & { metadata: ObjectMeta };
export type PolicyRulesWithSubjects = Infer<typeof policyRulesWithSubjectsSchema>;

/** FlowSchemaDefaultMatchingPrecedence (pkg/apis/flowcontrol/v1/defaults.go). */
export const DEFAULT_MATCHING_PRECEDENCE = 1000;

export const flowSchemas = defineKind<FlowSchema>({
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema', plural: 'flowschemas', namespaced: false,
  schema: flowSchemaSchema, nameValidator: nameIsDNSSubdomain,
  subresources: ['status'], hasStatusSubresource: true, tracksGeneration: true,
  defaults(fs) {
    if (fs.spec && !fs.spec.matchingPrecedence) fs.spec.matchingPrecedence = DEFAULT_MATCHING_PRECEDENCE;
  },
  validate: validateFlowSchema,
  columns: [
    col('PriorityLevel', 'string', '`priorityLevelConfiguration` is the name of the PriorityLevelConfiguration this FlowSchema refers to.'),
    col('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request.'),
    col('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema.'),
    col('MissingPL', 'string', 'indicates whether the FlowSchema references a non-existent PriorityLevelConfiguration'),
  ],
  ageAt: 3,
  cells: (fs) => [
    fs.spec?.priorityLevelConfiguration?.name ?? '',
    fs.spec?.matchingPrecedence ?? 0,
    fs.spec?.distinguisherMethod?.type ?? '*',
    fs.status?.conditions?.find((c) => c.type === 'Dangling')?.status ?? '?',
  ],
});
