/** Pod and pod template warnings against upstream's pkg/api/pod/warnings_test.go cases and wording. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { podCreateWarnings, podSpecWarnings } from './pod-warnings.js';

const c = (extra: object = {}) => ({ name: 'c', image: 'x', ...extra });

test('deprecated node labels in nodeSelector, node affinity and topology spread constraints', () => {
  assert.deepEqual(podSpecWarnings({}, {
    containers: [c()], nodeSelector: { 'beta.kubernetes.io/arch': 'amd64' },
    affinity: { nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'failure-domain.beta.kubernetes.io/zone', operator: 'Exists' }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'beta.kubernetes.io/os', operator: 'Exists' }] } }],
    } },
    topologySpreadConstraints: [{ topologyKey: 'failure-domain.beta.kubernetes.io/region', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }],
  }, 'spec.template'), [
    'spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead',
    'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    'spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].key: beta.kubernetes.io/os is deprecated since v1.14; use "kubernetes.io/os" instead',
    'spec.template.spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/region is deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    'spec.template.spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod',
  ]);
});

test('annotations, volumes, duplicates, fractional bytes, env, ports, grace period and null selectors', () => {
  const meta = { annotations: { 'scheduler.alpha.kubernetes.io/critical-pod': '', 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default', 'container.seccomp.security.alpha.kubernetes.io/c': 'runtime/default' } };
  assert.deepEqual(podSpecWarnings(meta, {
    volumes: [{ name: 'g', gitRepo: { repository: 'r' } }, { name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'cm', items: [{ key: 'k', path: 'token' }] } }] } }],
    hostAliases: [{ ip: '1.2.3.4' }, { ip: '1.2.3.4' }],
    imagePullSecrets: [{ name: 'a' }, { name: 'a' }, { name: '' }],
    containers: [c({
      resources: { limits: { memory: '1.5' }, requests: { 'ephemeral-storage': '100m' } },
      env: [{ name: 'A', value: 'x' }, { name: 'A', value: 'y' }, { name: 'B', value: '1' }, { name: 'B', value: '$(B)2' }],
      ports: [{ containerPort: 80 }, { containerPort: 80 }, { containerPort: 81, hostIP: '10.0.0.1' }],
    })],
    terminationGracePeriodSeconds: -1,
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'z' }] }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'z' } }] } },
  }), [
    'metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead',
    'spec.volumes[0].gitRepo: deprecated in v1.11',
    'spec.volumes[1].projected.sources.configMap[0]: has duplicated path with ServiceAccountToken "token"',
    'spec.hostAliases[1].ip: duplicate ip "1.2.3.4"',
    'spec.imagePullSecrets[1].name: duplicate name "a"',
    'spec.imagePullSecrets[2].name: invalid empty name ""',
    'metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead',
    'metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: non-functional in v1.27+; use the "seccompProfile" field instead',
    'spec.containers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',
    'spec.containers[0].resources.requests[ephemeral-storage]: fractional byte value "100m" is invalid, must be an integer',
    'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply',
    'spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]',
    'spec.containers[0].ports[2]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:81 Protocol:TCP HostIP:10.0.0.1}',
    'spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1',
    'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: a null labelSelector results in matching no pod',
    'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod',
  ]);
  // The seccomp field silences the annotation warnings; a plain pod gives none.
  assert.deepEqual(podSpecWarnings(meta, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [c({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })] }),
    ['metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead']);
  assert.deepEqual(podSpecWarnings({}, { containers: [c({ ports: [{ containerPort: 80 }] })] }), []);
});

test('AppArmor annotations: templates warn without a field; pods warn unless the annotation equals the pod profile', () => {
  const meta = { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/p' } };
  const warning = 'metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]: deprecated since v1.30; use the "appArmorProfile" field instead';
  assert.deepEqual(podSpecWarnings(meta, { containers: [c()] }, 'spec.template'), [`spec.template.${warning}`]);
  assert.deepEqual(podSpecWarnings(meta, { containers: [c()] }), []);
  assert.deepEqual(podCreateWarnings({ name: 'p', ...meta }, { containers: [c()] }), [warning]);
  assert.deepEqual(podCreateWarnings({ name: 'p', ...meta }, { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }, containers: [c()] }), []);
});

test('a pod name that is not a DNS label warns, as it becomes the hostname', () => {
  assert.deepEqual(podCreateWarnings({ name: 'web.example' }, { containers: [c()] }), [
    "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
  ]);
  assert.deepEqual(podCreateWarnings({ name: 'web-0' }, { containers: [c()] }), []);
});
