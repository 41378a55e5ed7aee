/**
 * Upstream's API-operations conformance tests for the cluster-scoped configuration APIs
 * (test/e2e/apimachinery/flowcontrol.go, validatingadmissionpolicy.go): discovery, then create,
 * get, list, watch, patch, update, status, delete and deletecollection (api-lifecycle.ts).
 */
import { after, before, test } from 'node:test';
import type { KubeObject } from '../api/meta.js';
import { resources } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { walkLifecycle } from './testing/api-lifecycle.js';

let env: ClientEnv;

before(async () => {
  env = await startClientEnv({ namespace: 'cf-api-operations' });
});
after(() => env.stop());

const meta = (name: string, labels: Record<string, string>) => ({ name, labels });

test('[sig-api-machinery] API priority and fairness should support FlowSchema API operations [Conformance]', async () => {
  await walkLifecycle(env.client, {
    ref: resources.flowschemas, status: true,
    make: (name, labels) => ({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: meta(name, labels),
      spec: { matchingPrecedence: 10000, priorityLevelConfiguration: { name: 'global-default' }, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'User', user: { name: name } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] },
    }) as KubeObject,
  }, 'e2e-example-fs');
});

test('[sig-api-machinery] API priority and fairness should support PriorityLevelConfiguration API operations [Conformance]', async () => {
  await walkLifecycle(env.client, {
    ref: resources.prioritylevelconfigurations, status: true,
    make: (name, labels) => ({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: meta(name, labels),
      spec: { type: 'Limited', limited: { nominalConcurrencyShares: 2, limitResponse: { type: 'Reject' } } },
    }) as KubeObject,
  }, 'e2e-example-pl');
});

test('[sig-api-machinery] ValidatingAdmissionPolicy [Privileged:ClusterAdmin] should support ValidatingAdmissionPolicy API operations [Conformance]', async () => {
  await walkLifecycle(env.client, {
    ref: resources.validatingadmissionpolicies, status: true,
    make: (name, labels) => ({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: meta(name, labels),
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
        validations: [{ expression: 'object.spec.replicas <= 100' }],
      },
    }) as KubeObject,
  }, 'e2e-example-vap');
});

test('[sig-api-machinery] ValidatingAdmissionPolicy [Privileged:ClusterAdmin] should support ValidatingAdmissionPolicyBinding API operations [Conformance]', async () => {
  await walkLifecycle(env.client, {
    ref: resources.validatingadmissionpolicybindings,
    make: (name, labels) => ({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: meta(name, labels),
      spec: { policyName: 'replicalimit-policy.example.com', validationActions: ['Deny'] },
    }) as KubeObject,
  }, 'e2e-example-vapb');
});

test('[sig-apps] CronJob should support CronJob API operations [Conformance]', async () => {
  await walkLifecycle(env.client, {
    ref: resources.cronjobs, namespace: 'cf-api-operations', status: (n) => ({ lastScheduleTime: `2024-01-01T00:0${n}:00Z` }),
    make: (name, labels) => ({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta(name, labels),
      spec: { schedule: '@hourly', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } } } },
    }) as KubeObject,
  }, 'e2e-example-cronjob');
});
