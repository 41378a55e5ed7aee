/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * (GA in 1.30): schema, upstream's defaults (failurePolicy Fail, matchPolicy Equivalent, empty
 * selectors, rule scope `*`), the main checks of ValidateValidatingAdmissionPolicy(Binding) and the
 * printer columns (printValidatingAdmissionPolicy: VALIDATIONS, PARAMKIND; binding: POLICYNAME,
 * PARAMREF). CEL is compiled and run by src/apiserver/admission/dynamic/policy-*.ts.
 * status.typeChecking is not computed (Bosun does not type-check against the matched kinds' schemas).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { metaConditionSchema } from '../policy/pod-disruption-budget.js';
import { matchConditionSchema } from './webhook-configuration.js';

const V1 = 'io.k8s.api.admissionregistration.v1';

export const namedRuleWithOperationsSchema = s.object({
  resourceNames: s.strings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.'),
  operations: s.strings('Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations.'),
  apiGroups: s.strings('APIGroups is the API groups the resources belong to. \'*\' is all groups.'),
  apiVersions: s.strings('APIVersions is the API versions the resources belong to. \'*\' is all versions.'),
  resources: s.strings('Resources is a list of resources this rule applies to.'),
  scope: s.string('scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".'),
}, { name: `${V1}.NamedRuleWithOperations`, mapType: 'atomic', description: 'NamedRuleWithOperations is a tuple of Operations and Resources with ResourceNames.' });

export const matchResourcesSchema = s.object({
  namespaceSelector: { ...labelSelectorSchema, description: 'NamespaceSelector decides whether to run the admission control policy on an object based on whether the namespace for that object matches the selector.' },
  objectSelector: { ...labelSelectorSchema, description: 'ObjectSelector decides whether to run the validation based on if the object has matching labels.' },
  resourceRules: s.array(namedRuleWithOperationsSchema, { description: 'ResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy matches.', listType: 'atomic' }),
  excludeResourceRules: s.array(namedRuleWithOperationsSchema, { description: 'ExcludeResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy should not care about.', listType: 'atomic' }),
  matchPolicy: s.string({ description: 'matchPolicy defines how the "MatchResources" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent".', enum: ['Equivalent', 'Exact'] }),
}, { name: `${V1}.MatchResources`, mapType: 'atomic', description: 'MatchResources decides whether to run the admission control policy on an object based on whether it meets the match criteria.' });

const validationSchema = s.object({
  expression: s.string('Expression represents the expression which will be evaluated by CEL.'),
  message: s.string('Message represents the message displayed when validation fails.'),
  reason: s.string('Reason represents a machine-readable description of why this validation failed. Supported values: "Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge". Default: Invalid.'),
  messageExpression: s.string('messageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails.'),
}, { name: `${V1}.Validation`, required: ['expression'], description: 'Validation specifies the CEL expression which is used to apply the validation.' });

const variableSchema = s.object({
  name: s.string('Name is the name of the variable. The name must be a valid CEL identifier and unique among all variables.'),
  expression: s.string('Expression is the expression that will be evaluated as the value of the variable.'),
}, { name: `${V1}.Variable`, required: ['name', 'expression'], description: 'Variable is the definition of a variable that is used for composition.' });

const policySpecSchema = s.object({
  paramKind: s.object({
    apiVersion: s.string('APIVersion is the API group version the resources belong to. In format of "group/version". Required.'),
    kind: s.string('Kind is the API kind the resources belong to. Required.'),
  }, { name: `${V1}.ParamKind`, mapType: 'atomic', description: 'ParamKind specifies the kind of resources used to parameterize this policy.' }),
  matchConstraints: { ...matchResourcesSchema, description: 'MatchConstraints specifies what resources this policy is designed to validate. Required.' },
  validations: s.array(validationSchema, { description: 'Validations contain CEL expressions which is used to apply the validation.', listType: 'atomic' }),
  failurePolicy: s.string({ description: 'failurePolicy defines how to handle failures for the admission policy. Allowed values are Ignore or Fail. Defaults to Fail.', enum: ['Fail', 'Ignore'] }),
  auditAnnotations: s.array(s.object({
    key: s.string('key specifies the audit annotation key.'),
    valueExpression: s.string('valueExpression represents the expression which is evaluated by CEL to produce an audit annotation value.'),
  }, { name: `${V1}.AuditAnnotation`, required: ['key', 'valueExpression'], description: 'AuditAnnotation describes how to produce an audit annotation for an API request.' }), { description: 'auditAnnotations contains CEL expressions which are used to produce audit annotations for the audit event of the API request.', listType: 'atomic' }),
  matchConditions: s.array(matchConditionSchema, { description: 'MatchConditions is a list of conditions that must be met for a request to be validated.', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }),
  variables: s.array(variableSchema, { description: 'Variables contain definitions of variables that can be used in composition of other expressions.', listType: 'atomic' }),
}, { name: `${V1}.ValidatingAdmissionPolicySpec`, description: 'ValidatingAdmissionPolicySpec is the specification of the desired behavior of the AdmissionPolicy.' });

const policyStatusSchema = s.object({
  observedGeneration: s.int64('The generation observed by the controller.'),
  typeChecking: s.object({
    expressionWarnings: s.array(s.object({
      fieldRef: s.string('The path to the field that refers the expression.'),
      warning: s.string('The content of type checking information in a human-readable form.'),
    }, { name: `${V1}.ExpressionWarning`, required: ['fieldRef', 'warning'], description: 'ExpressionWarning is a warning information that targets a specific expression.' }), { description: 'The type checking warnings for each expression.', listType: 'atomic' }),
  }, { name: `${V1}.TypeChecking`, description: 'TypeChecking contains results of type checking the expressions in the ValidatingAdmissionPolicy' }),
  conditions: s.array(metaConditionSchema, { description: 'The conditions represent the latest available observations of a policy\'s current state.', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${V1}.ValidatingAdmissionPolicyStatus`, description: 'ValidatingAdmissionPolicyStatus represents the status of an admission validation policy.' });

const policySchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: policySpecSchema,
  status: policyStatusSchema,
}, { name: `${V1}.ValidatingAdmissionPolicy`, gvk: gvk('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy'), description: 'ValidatingAdmissionPolicy describes the definition of an admission validation policy that accepts or rejects an object without changing it.' });

const bindingSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: s.object({
    policyName: s.string('PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to. Required.'),
    paramRef: s.object({
      name: s.string('name is the name of the resource being referenced.'),
      namespace: s.string('namespace is the namespace of the referenced resource.'),
      selector: { ...labelSelectorSchema, description: 'selector can be used to match multiple param objects based on their labels.' },
      parameterNotFoundAction: s.string('parameterNotFoundAction controls the behavior of the binding when the resource exists, and name or selector is valid, but there are no parameters matched by the binding. Allowed values are `Allow` or `Deny`.'),
    }, { name: `${V1}.ParamRef`, mapType: 'atomic', description: 'ParamRef describes how to locate the params to be used as input to expressions of rules applied by a policy binding.' }),
    matchResources: { ...matchResourcesSchema, description: 'MatchResources declares what resources match this binding and will be validated by it.' },
    validationActions: s.array(s.string(), { description: 'validationActions declares how Validations of the referenced ValidatingAdmissionPolicy are enforced: Deny, Warn, Audit.', listType: 'set' }),
  }, { name: `${V1}.ValidatingAdmissionPolicyBindingSpec`, description: 'ValidatingAdmissionPolicyBindingSpec is the specification of the ValidatingAdmissionPolicyBinding.' }),
}, { name: `${V1}.ValidatingAdmissionPolicyBinding`, gvk: gvk('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding'), description: 'ValidatingAdmissionPolicyBinding binds the ValidatingAdmissionPolicy with paramerized resources.' });

export type ValidatingAdmissionPolicy = Infer<typeof policySchema> & { metadata: ObjectMeta };
export type ValidatingAdmissionPolicyBinding = Infer<typeof bindingSchema> & { metadata: ObjectMeta };
export type MatchResources = Infer<typeof matchResourcesSchema>;
export type NamedRuleWithOperations = Infer<typeof namedRuleWithOperationsSchema>;

function defaultMatch(m: MatchResources | undefined): void {
  if (!m) return;
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  m.matchPolicy ??= 'Equivalent';
  for (const r of [...(m.resourceRules ?? []), ...(m.excludeResourceRules ?? [])]) r.scope ??= '*';
}

const REASONS = ['Unauthorized', 'Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const ACTIONS = ['Deny', 'Warn', 'Audit'];

function validatePolicy(p: ValidatingAdmissionPolicy): FieldError[] {
  const errs: FieldError[] = [];
  const spec = p.spec ?? {};
  if (!spec.matchConstraints) errs.push(fe.required('spec.matchConstraints', ''));
  else if (!(spec.matchConstraints.resourceRules ?? []).length) errs.push(fe.required('spec.matchConstraints.resourceRules', ''));
  if (!(spec.validations ?? []).length && !(spec.auditAnnotations ?? []).length) errs.push(fe.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  (spec.validations ?? []).forEach((v, i) => {
    if (!v.expression) errs.push(fe.required(`spec.validations[${i}].expression`, ''));
    if (v.reason && !REASONS.includes(v.reason)) errs.push(fe.notSupported(`spec.validations[${i}].reason`, v.reason, REASONS));
  });
  if (spec.paramKind && (!spec.paramKind.apiVersion || !spec.paramKind.kind)) errs.push(fe.required('spec.paramKind', 'apiVersion and kind are required'));
  return errs;
}

function validateBinding(b: ValidatingAdmissionPolicyBinding): FieldError[] {
  const errs: FieldError[] = [];
  const spec = b.spec ?? {};
  if (!spec.policyName) errs.push(fe.required('spec.policyName', ''));
  const actions = spec.validationActions ?? [];
  if (actions.length === 0) errs.push(fe.required('spec.validationActions', ''));
  actions.forEach((a, i) => { if (!ACTIONS.includes(a)) errs.push(fe.notSupported(`spec.validationActions[${i}]`, a, ACTIONS)); });
  if (actions.includes('Deny') && actions.includes('Warn')) errs.push(fe.invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  const ref = spec.paramRef;
  if (ref && !!ref.name === !!ref.selector) errs.push(fe.forbidden('spec.paramRef.name', 'name and selector are mutually exclusive, and one of them is required'));
  if (ref && ref.parameterNotFoundAction && !['Allow', 'Deny'].includes(ref.parameterNotFoundAction)) errs.push(fe.notSupported('spec.paramRef.parameterNotFoundAction', ref.parameterNotFoundAction, ['Allow', 'Deny']));
  return errs;
}

export const validatingAdmissionPolicies = defineKind<ValidatingAdmissionPolicy>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false,
  categories: ['api-extensions'], // as upstream's REST Categories() for admissionregistration kinds
  schema: policySchema, nameValidator: nameIsDNSSubdomain, tracksGeneration: true, subresources: ['status'], hasStatusSubresource: true,
  defaults: (p) => { if (p.spec) { p.spec.failurePolicy ??= 'Fail'; defaultMatch(p.spec.matchConstraints); } },
  validate: validatePolicy,
  columns: [
    col('Validations', 'integer', 'Validations contain CEL expressions which is used to apply the validation.'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
  ],
  cells: (p) => [(p.spec?.validations ?? []).length, p.spec?.paramKind ? `${p.spec.paramKind.apiVersion}/${p.spec.paramKind.kind}` : '<unset>'],
});

export const validatingAdmissionPolicyBindings = defineKind<ValidatingAdmissionPolicyBinding>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false,
  categories: ['api-extensions'], // as upstream's REST Categories() for admissionregistration kinds
  schema: bindingSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (b) => {
    defaultMatch(b.spec?.matchResources);
    if (b.spec?.paramRef) b.spec.paramRef.parameterNotFoundAction ??= 'Deny';
  },
  validate: validateBinding,
  columns: [
    col('PolicyName', 'string', 'PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.'),
    col('ParamRef', 'string', 'paramRef specifies the parameter resource used to configure the admission control policy.'),
  ],
  cells: (b) => [b.spec?.policyName ?? '', b.spec?.paramRef ? `${b.spec.paramRef.namespace ? `${b.spec.paramRef.namespace}/` : ''}${b.spec.paramRef.name ?? '*'}` : '<unset>'],
});
