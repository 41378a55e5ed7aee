/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration:
 * schema, upstream's defaults (SetDefaults_MutatingWebhook / _ValidatingWebhook: failurePolicy Fail,
 * matchPolicy Equivalent, empty selectors, timeoutSeconds 10, reinvocationPolicy Never, rule scope
 * `*`, service port 443), the main checks of ValidateMutatingWebhookConfiguration and the WEBHOOKS
 * column (printMutatingWebhook). The admission plugins that call them: src/apiserver/admission/dynamic.
 */
import { CelEnvironment } from '../../cel/environment.js';
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

const V1 = 'io.k8s.api.admissionregistration.v1';

export const ruleWithOperationsSchema = s.object({
  operations: s.strings('Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations and any future admission operations that are added. If \'*\' is present, the length of the slice must be one. Required.'),
  apiGroups: s.strings('APIGroups is the API groups the resources belong to. \'*\' is all groups. If \'*\' is present, the length of the slice must be one. Required.'),
  apiVersions: s.strings('APIVersions is the API versions the resources belong to. \'*\' is all versions. If \'*\' is present, the length of the slice must be one. Required.'),
  resources: s.strings('Resources is a list of resources this rule applies to. \'*\' means all resources; \'pods/*\' all subresources of pods; \'*/scale\' scale of every resource.'),
  scope: s.string('scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".'),
}, { name: `${V1}.RuleWithOperations`, description: 'RuleWithOperations is a tuple of Operations and Resources. It is recommended to make sure that all the tuple expansions are valid.' });

export const matchConditionSchema = s.object({
  name: s.string('Name is an identifier for this match condition, used for strategic merging of MatchConditions, as well as providing an identifier for logging purposes. Required.'),
  expression: s.string('Expression represents the expression which will be evaluated by CEL. Must evaluate to bool. Required.'),
}, { name: `${V1}.MatchCondition`, required: ['name', 'expression'], description: 'MatchCondition represents a condition which must by fulfilled for a request to be sent to a webhook.' });

const serviceReferenceSchema = s.object({
  namespace: s.string('`namespace` is the namespace of the service. Required'),
  name: s.string('`name` is the name of the service. Required'),
  path: s.string('`path` is an optional URL path which will be sent in any request to this service.'),
  port: s.int('If specified, the port on the service that hosting webhook. Default to 443 for backward compatibility. `port` should be a valid port number (1-65535, inclusive).'),
}, { name: `${V1}.ServiceReference`, required: ['namespace', 'name'], description: 'ServiceReference holds a reference to Service.legacy.k8s.io' });

const clientConfigSchema = s.object({
  url: s.string('`url` gives the location of the webhook, in standard URL form (`scheme://host:port/path`). Exactly one of `url` or `service` must be specified.'),
  service: { ...serviceReferenceSchema, description: '`service` is a reference to the service for this webhook. Either `service` or `url` must be specified.' },
  caBundle: s.bytes('`caBundle` is a PEM encoded CA bundle which will be used to validate the webhook\'s server certificate. If unspecified, system trust roots on the apiserver are used.'),
}, { name: `${V1}.WebhookClientConfig`, description: 'WebhookClientConfig contains the information to make a TLS connection with the webhook' });

const webhookProps = {
  name: s.string('The name of the admission webhook. Name should be fully qualified, e.g., imagepolicy.kubernetes.io. Required.'),
  clientConfig: { ...clientConfigSchema, description: 'ClientConfig defines how to communicate with the hook. Required' },
  rules: s.array(ruleWithOperationsSchema, 'Rules describes what operations on what resources/subresources the webhook cares about.'),
  failurePolicy: s.string({ description: 'FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail. Defaults to Fail.', enum: ['Fail', 'Ignore'] }),
  matchPolicy: s.string({ description: 'matchPolicy defines how the "rules" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent". Defaults to "Equivalent"', enum: ['Equivalent', 'Exact'] }),
  namespaceSelector: { ...labelSelectorSchema, description: 'NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. Default to the empty LabelSelector, which matches everything.' },
  objectSelector: { ...labelSelectorSchema, description: 'ObjectSelector decides whether to run the webhook based on if the object has matching labels. Default to the empty LabelSelector, which matches everything.' },
  sideEffects: s.string('SideEffects states whether this webhook has side effects. Acceptable values are: None, NoneOnDryRun. Requests with the dryRun attribute will be auto-rejected if they match a webhook with sideEffects == Unknown or Some.'),
  timeoutSeconds: s.int('TimeoutSeconds specifies the timeout for this webhook. After the timeout passes, the webhook call will be ignored or the API call will fail based on the failure policy. The timeout value must be between 1 and 30 seconds. Default to 10 seconds.'),
  admissionReviewVersions: s.array(s.string(), 'AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects. API server will try to use first version in the list which it supports.'),
  matchConditions: s.array(matchConditionSchema, { description: 'MatchConditions is a list of conditions that must be met for a request to be sent to this webhook. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector.', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }),
};

export const mutatingWebhookSchema = s.object({
  ...webhookProps,
  reinvocationPolicy: s.string({ description: 'reinvocationPolicy indicates whether this webhook should be called multiple times as part of a single admission evaluation. Allowed values are "Never" and "IfNeeded". Defaults to "Never".', enum: ['IfNeeded', 'Never'] }),
}, { name: `${V1}.MutatingWebhook`, required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'], description: 'MutatingWebhook describes an admission webhook and the resources and operations it applies to.' });

export const validatingWebhookSchema = s.object(webhookProps, {
  name: `${V1}.ValidatingWebhook`, required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'],
  description: 'ValidatingWebhook describes an admission webhook and the resources and operations it applies to.',
});

const mutatingConfigSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  webhooks: s.array(mutatingWebhookSchema, { description: 'Webhooks is a list of webhooks and the affected resources and operations.', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }),
}, { name: `${V1}.MutatingWebhookConfiguration`, gvk: gvk('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration'), description: 'MutatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and may change the object.' });

const validatingConfigSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  webhooks: s.array(validatingWebhookSchema, { description: 'Webhooks is a list of webhooks and the affected resources and operations.', listType: 'map', listMapKeys: ['name'], patchStrategy: 'merge', patchMergeKey: 'name' }),
}, { name: `${V1}.ValidatingWebhookConfiguration`, gvk: gvk('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration'), description: 'ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and object without changing it.' });

export type MutatingWebhook = Infer<typeof mutatingWebhookSchema>;
export type ValidatingWebhook = Infer<typeof validatingWebhookSchema>;
export type RuleWithOperations = Infer<typeof ruleWithOperationsSchema>;
export type MutatingWebhookConfiguration = Infer<typeof mutatingConfigSchema> & { metadata: ObjectMeta };
export type ValidatingWebhookConfiguration = Infer<typeof validatingConfigSchema> & { metadata: ObjectMeta };

/** SetDefaults_MutatingWebhook / SetDefaults_ValidatingWebhook / SetDefaults_Rule / SetDefaults_ServiceReference. */
function defaultWebhook(w: MutatingWebhook, mutating: boolean): void {
  w.failurePolicy ??= 'Fail';
  w.matchPolicy ??= 'Equivalent';
  w.namespaceSelector ??= {};
  w.objectSelector ??= {};
  w.timeoutSeconds ??= 10;
  if (mutating) w.reinvocationPolicy ??= 'Never';
  for (const r of w.rules ?? []) r.scope ??= '*';
  if (w.clientConfig?.service) w.clientConfig.service.port ??= 443;
}

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];

/** The main rules of ValidateMutatingWebhookConfiguration (names unique, sideEffects, timeout, clientConfig, rules). */
/**
 * matchConditions compile in upstream's webhook CEL environment (object, oldObject, request,
 * authorizer); an expression that does not compile is refused when the configuration is written.
 */
const matchConditionEnv = new CelEnvironment(['object', 'oldObject', 'request', 'authorizer']);

function compileError(expression: string): string | undefined {
  // Bosun's CEL has no authorizer library (its calls do not type-check here): such an expression is
  // not judged at write time, as upstream would accept it; at admission it fails by the failurePolicy.
  if (/\bauthorizer\b/.test(expression)) return undefined;
  try {
    matchConditionEnv.compile(expression);
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split('\n')[0];
  }
}

function validateWebhooks(webhooks: MutatingWebhook[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (webhooks ?? []).forEach((w, i) => {
    const at = `webhooks[${i}]`;
    if (!w.name) errs.push(fe.required(`${at}.name`, ''));
    else if (seen.has(w.name)) errs.push(fe.duplicate(`${at}.name`, w.name));
    else if (w.name.split('.').length < 3) errs.push(fe.invalid(`${at}.name`, w.name, 'should be a domain with at least three segments separated by dots'));
    seen.add(w.name);
    if (!SIDE_EFFECTS.includes(w.sideEffects ?? '')) errs.push(fe.notSupported(`${at}.sideEffects`, w.sideEffects ?? '', SIDE_EFFECTS));
    if (w.timeoutSeconds !== undefined && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) {
      errs.push(fe.invalid(`${at}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    }
    if (!(w.admissionReviewVersions ?? []).includes('v1')) {
      errs.push(fe.invalid(`${at}.admissionReviewVersions`, w.admissionReviewVersions ?? [], 'must include at least one of v1'));
    }
    const cc = w.clientConfig ?? {};
    if (!!cc.url === !!cc.service) errs.push(fe.required(`${at}.clientConfig`, 'exactly one of url or service is required'));
    if (cc.url && !cc.url.startsWith('https://')) errs.push(fe.invalid(`${at}.clientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    (w.matchConditions ?? []).forEach((m, j) => {
      if (!m.expression) errs.push(fe.required(`${at}.matchConditions[${j}].expression`, ''));
      else {
        const why = compileError(m.expression);
        if (why) errs.push(fe.invalid(`${at}.matchConditions[${j}].expression`, m.expression, `compilation failed: ${why}`));
      }
    });
    (w.rules ?? []).forEach((r, j) => {
      for (const op of r.operations ?? []) {
        if (!OPERATIONS.includes(op)) errs.push(fe.notSupported(`${at}.rules[${j}].operations`, op, OPERATIONS));
      }
      if (r.scope && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(fe.notSupported(`${at}.rules[${j}].scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
    });
  });
  return errs;
}

const webhooksColumn = col('Webhooks', 'integer', 'Webhooks is a list of webhooks and the affected resources and operations.');

export const mutatingWebhookConfigurations = defineKind<MutatingWebhookConfiguration>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false,
  categories: ['api-extensions'], // as upstream's REST Categories() for admissionregistration kinds
  schema: mutatingConfigSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (c) => { for (const w of c.webhooks ?? []) defaultWebhook(w, true); },
  validate: (c) => validateWebhooks(c.webhooks),
  columns: [webhooksColumn],
  cells: (c) => [(c.webhooks ?? []).length],
});

export const validatingWebhookConfigurations = defineKind<ValidatingWebhookConfiguration>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false,
  categories: ['api-extensions'], // as upstream's REST Categories() for admissionregistration kinds
  schema: validatingConfigSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (c) => { for (const w of c.webhooks ?? []) defaultWebhook(w as MutatingWebhook, false); },
  validate: (c) => validateWebhooks(c.webhooks as MutatingWebhook[] | undefined),
  columns: [webhooksColumn],
  cells: (c) => [(c.webhooks ?? []).length],
});
