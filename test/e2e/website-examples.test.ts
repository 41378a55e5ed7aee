/**
 * Conformance sweep: the example manifests of the Kubernetes documentation (kubernetes/website
 * content/en/examples, copied under fixtures/website-examples; provenance in its README.md), which
 * upstream's website CI (content/en/examples/examples_test.go) validates with the real API
 * validation, so a v1.32 cluster accepts each of them. Every example is sent through the real kubectl
 * with `apply --dry-run=server` (one invocation for all files; kubectl names the file of each
 * error), and must be accepted with no warning upstream would not give. A second test compares what
 * the server defaults on a Deployment, a Pod and a Service with upstream's SetDefaults_* functions.
 * No containers run: this is about the API.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kubectlOk } from '../../src/testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const ROOT = fileURLToPath(new URL('./fixtures/website-examples/', import.meta.url));

/**
 * Examples not sent, each with its reason: not an API object (configuration files, fragments),
 * custom resources whose CRD the examples lack, an answer that depends on a v1.32 feature gate, or a
 * refusal whose code or message still differs from upstream's (named, not fixed).
 */
const SKIPPED: Record<string, string> = {
  'pods/image-volumes.yaml': 'the image volume source is alpha in v1.32 (ImageVolume gate off by default): the answer depends on the gate',
  'access/manifest-admission-control/admission-configuration.yaml': 'an AdmissionConfiguration: the API server\'s --admission-control-config-file, not an API object',
  'policy/quota-vac.yaml': 'the VolumeAttributesClass quota scope: v1.32 accepts it only with the VolumeAttributesClass gate (beta, off by default); Bosun refuses the scope',
  'debug/custom-profile.yaml': 'a kubectl debug --custom profile (a container fragment), not an API object',
  'validatingadmissionpolicy/failure-policy-ignore.yaml': 'a fragment (`spec: ...`) quoted in the page, not a manifest',
  'validatingadmissionpolicy/replicalimit-param.yaml': 'a ReplicaLimit custom resource: the examples define no CRD for rules.example.com (upstream\'s examples_test.go does not validate it either)',
  'validatingadmissionpolicy/replicalimit-param-prod.yaml': 'a ReplicaLimit custom resource: the examples define no CRD for rules.example.com',
};

/**
 * Examples a v1.32 API server (or kubectl 1.32 before any request) refuses: features newer than
 * v1.32 (unknown fields under kubectl's fieldValidation=Strict, values v1.32 does not support), API
 * versions it does not serve, IPv6 on a single-stack IPv4 cluster, typos and placeholders in the
 * stored versions. Each must be refused by Bosun too, with the error upstream gives.
 */
const REFUSED_AS_V132: Record<string, RegExp> = {
  // API versions a v1.32 server does not serve (kubectl finds no REST mapping for them).
  'application/job/cronjob.yaml': /no matches for kind "CronJob" in version "batch\/v1beta1"/,
  // Stored versions kubectl itself refuses: no metadata.name; a tab indenting a key (not YAML).
  'controllers/job-success-policy-example.yaml': /resource name may not be empty/,
  'pods/inject/pod-multiple-secret-env-variable.yaml': /found a tab character that violates indentation/,
  'priority-and-fairness/health-for-strangers.yaml': /no matches for kind "FlowSchema" in version "flowcontrol\.apiserver\.k8s\.io\/v1beta2"/,
  'priority-and-fairness/list-events-default-service-account.yaml': /no matches for kind "FlowSchema" in version "flowcontrol\.apiserver\.k8s\.io\/v1beta3"/,
  'validatingadmissionpolicy/basic-example-binding.yaml': /no matches for kind "ValidatingAdmissionPolicyBinding" in version "admissionregistration\.k8s\.io\/v1alpha1"/,
  'validatingadmissionpolicy/typechecking.yaml': /no matches for kind "ValidatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1beta1"/,
  // metadata.annotations written as a list: kubectl cannot decode it into an object.
  'secret/serviceaccount/mysecretname.yaml': /json: cannot unmarshal array into Go struct field ObjectMeta\.metadata\.annotations of type map\[string\]string/,
  // A list where NodeSelector is an object (the stored version gives requiredDuringScheduling... a
  // preferred term's list): upstream's decoder refuses the body (400) before any validation.
  'pods/pod-with-node-affinity.yaml': /Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal array into Go struct field NodeAffinity\.spec\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution of type v1\.NodeSelector/,
  // Placeholders where base64 belongs: upstream's decoder refuses the body (400) before any validation.
  // (Upstream's examples_test.go ignores tls-auth-secret.yaml for that reason.)
  'secret/tls-auth-secret.yaml': /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 7/,
  'access/manifest-admission-control/validating-webhook.yaml': /ValidatingWebhookConfiguration in version "v1" cannot be handled as a ValidatingWebhookConfiguration: illegal base64 data at input byte 0/,
  'storage/test-crd.yaml': /CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: illegal base64 data at input byte 0/,
  // Fragments without metadata.name: kubectl refuses them before any request.
  'access/admission-webhook-match-conditions.yaml': /error when retrieving current configuration of:[\s\S]*resource name may not be empty/,
  'access/validating-webhook-configuration-match-conditions.yaml': /error when retrieving current configuration of:[\s\S]*resource name may not be empty/,
  // `resourceName` (for resourceNames) is not a PolicyRule field.
  'access/certificate-signing-request/clusterrole-sign.yaml': /strict decoding error: unknown field "rules\[2\]\.resourceName"/,
  'access/deployment-replicas-policy.yaml': /no matches for kind "ValidatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1alpha1"/,
  'access/validating-admission-policy-audit-annotation.yaml': /no matches for kind "ValidatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1alpha1"/,
  'access/validating-admission-policy-match-conditions.yaml': /no matches for kind "ValidatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1alpha1"/,
  'access/image-matches-namespace-environment.policy.yaml': /no matches for kind "ValidatingAdmissionPolicy" in version "admissionregistration\.k8s\.io\/v1beta1"/,
  // The mount names `token-vol`, the volume is `root-certificates-vol` (and the projection is alpha in v1.32).
  'pods/storage/projected-clustertrustbundle.yaml': /spec\.containers\[0\]\.volumeMounts\[0\]\.name: Not found: "token-vol"/,
  'storage/storage-version-migration.yaml': /no matches for kind "StorageVersionMigration" in version "storagemigration\.k8s\.io\/v1alpha1"/,
  // A template for sed (`$ITEM`): the name is not a DNS subdomain.
  'application/job/job-tmpl.yaml': /metadata\.name: Invalid value: "process-item-\$ITEM": a lowercase RFC 1123 subdomain must consist of/,
  // VolumeSnapshotClass comes with the CSI snapshotter's CRDs, not with a v1.32 cluster.
  'application/volume-snapshot-class.yaml': /no matches for kind "VolumeSnapshotClass" in version "snapshot\.storage\.k8s\.io\/v1"/,
  // No apiVersion in the stored version: kubectl's own check refuses it.
  'pods/inject/pod-single-secret-env-variable.yaml': /error validating data: \[?apiVersion not set/,
  // resource.k8s.io is served as v1beta1 only in v1.32, and only when enabled (off by default).
  'dra/deviceclass.yaml': /no matches for kind "DeviceClass" in version "resource\.k8s\.io\/v1beta2"/,
  'dra/resourceclaim.yaml': /no matches for kind "ResourceClaim" in version "resource\.k8s\.io\/v1"/,
  'pods/emptydir-volume-mode.yaml': /strict decoding error: unknown field "spec\.volumes\[0\]\.emptyDir\.mode"/,
  'pods/inject/envars-file-container.yaml': /strict decoding error: unknown field "spec\.containers\[0\]\.env\[0\]\.valueFrom\.fileKeyRef"/,
  'pods/pod-with-numeric-toleration.yaml': /spec\.tolerations\[0\]\.operator: Unsupported value: "Gt": supported values: "Equal", "Exists"/,
  // The stored version spells the probe "gRPC"; the field is "grpc" (JSON field names are case-sensitive).
  'pods/probe/grpc-liveness.yaml': /strict decoding error: unknown field "spec\.containers\[0\]\.livenessProbe\.gRPC"/,
  'pods/restart-policy/restart-all-containers.yaml': /strict decoding error: unknown field "spec\.initContainers\[1\]\.restartPolicyRules"/,
  // Bosun's service range is single-stack IPv4, as the CI cluster upstream's examples test ran against:
  // upstream's initIPFamilyFields refuses families the cluster does not serve.
  'service/networking/dual-stack-ipfamilies-ipv6.yaml': /spec\.ipFamilies\[0\]: Invalid value: "IPv6": not configured on this cluster/,
  'service/networking/dual-stack-prefer-ipv6-lb-svc.yaml': /spec\.ipFamilies\[0\]: Invalid value: "IPv6": not configured on this cluster/,
  'service/networking/dual-stack-preferred-ipfamilies-svc.yaml': /spec\.ipFamilies\[0\]: Invalid value: "IPv6": not configured on this cluster/,
  // The stored version still uses spec.ipFamily, replaced by ipFamilies in v1.20.
  'service/networking/dual-stack-ipv6-lb-svc.yaml': /strict decoding error: unknown field "spec\.ipFamily"/,
  // Gateway API is a set of CRDs a cluster installs; a v1.32 cluster does not serve it by itself.
  'service/networking/gateway.yaml': /no matches for kind "Gateway" in version "gateway\.networking\.k8s\.io\/v1"/,
  'pods/security/security-context-7.yaml': /strict decoding error: unknown field "spec\.containers\[0\]\.securityContext\.cgroupOptions"/,
};

/**
 * Files applied for real before the sweep, because other examples need them to exist (upstream's
 * admission refuses a pod naming a missing ServiceAccount or PriorityClass, and a custom resource
 * without its CRD).
 */
const PREREQUISITES: string[] = ['customresourcedefinition/shirt-resource-definition.yaml'];

/** ServiceAccounts examples name (created first, as the pages that use them say). */
const SERVICE_ACCOUNTS: [namespace: string, name: string][] = [['default', 'build-robot']];

/** PriorityClasses examples name (the pod priority page creates `high` first). */
const PRIORITY_CLASSES: [name: string, value: number][] = [['high', 1000000]];

/**
 * Warnings a v1.32 API server gives for these examples (each quoted from upstream's warning code):
 * the sweep expects exactly these and no other.
 */
const EXPECTED_WARNINGS: { file: string; warning: string }[] = [
  // pkg/registry/core/pod/strategy.go applyAppArmorVersionSkew: the annotation is copied to the field, with a warning.
  { file: 'pods/security/hello-apparmor.yaml', warning: 'metadata.annotations[container.apparmor.security.beta.kubernetes.io/hello]: deprecated since v1.30; use the "appArmorProfile" field instead' },
  // pkg/api/pod/warnings.go: the seccomp annotation without the field.
  { file: 'pods/security/seccomp/alpha/audit-pod.yaml', warning: 'metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead' },
  { file: 'pods/security/seccomp/alpha/default-pod.yaml', warning: 'metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead' },
  // pkg/api/node/util.go: the beta OS label in a nodeSelector.
  { file: 'windows/emptydir-pod.yaml', warning: 'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead' },
  { file: 'windows/run-as-username-container.yaml', warning: 'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead' },
  // pkg/api/pod/warnings.go deprecatedAnnotations, through GetWarningsForPodTemplate at spec.template.
  { file: 'debug/fluentd-gcp-ds.yaml', warning: 'spec.template.metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead' },
];

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [relative(ROOT, path)] : [];
  });
}

interface Doc { kind?: string; metadata?: { namespace?: string } }

/** The objects of one example file (a List's items counted one by one, as kubectl applies them). */
function objectsOf(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJS() as Doc | null);
  return docs.flatMap((d) => (d && typeof d === 'object' ? (d.kind?.endsWith('List') ? ((d as { items?: Doc[] }).items ?? []) : [d]) : []));
}

describe('kubernetes/website example manifests', () => {
  let s: TestServer;
  const files = yamlFiles(ROOT).sort();
  const swept = files.filter((f) => !(f in SKIPPED) && !(f in REFUSED_AS_V132));

  before(async () => {
    s = await startTestServer();
    const namespaces = new Set(swept.flatMap((f) => objectsOf(f).map((o) => o.metadata?.namespace)).filter((n): n is string => !!n));
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) namespaces.delete(ns);
    for (const ns of namespaces) await kubectlOk(s, ['create', 'namespace', ns]);
    for (const [ns, name] of SERVICE_ACCOUNTS) await kubectlOk(s, ['-n', ns, 'create', 'serviceaccount', name]);
    for (const [name, value] of PRIORITY_CLASSES) await kubectlOk(s, ['create', 'priorityclass', name, `--value=${value}`]);
    for (const f of PREREQUISITES) await kubectlOk(s, ['apply', '-f', join(ROOT, f)]);
    await kubectlOk(s, ['wait', '--for=condition=Established', 'crd/shirts.stable.example.com']);
  });
  after(() => s?.stop());

  test('the skip and refusal tables name only files that exist', () => {
    assert.deepEqual([...Object.keys(SKIPPED), ...Object.keys(REFUSED_AS_V132)].filter((f) => !files.includes(f)), []);
    assert.ok(swept.length > 0);
  });

  test('examples a v1.32 server refuses are refused with its error', async () => {
    const differing: string[] = [];
    for (const [f, expected] of Object.entries(REFUSED_AS_V132)) {
      const r = await s.kubectl(['apply', '--dry-run=server', '-f', join(ROOT, f)]);
      if (r.code === 0 || !expected.test(r.stderr)) differing.push(`${f}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    assert.deepEqual(differing, []);
  });

  test('kubectl apply --dry-run=server accepts every example, with only upstream\'s warnings', async () => {
    const args = ['apply', '--dry-run=server', ...swept.flatMap((f) => ['-f', join(ROOT, f)])];
    const r = await s.kubectl(args, { timeoutMs: 240_000 });
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    const errors = lines.filter((l) => !l.startsWith('Warning: ')).map((l) => l.split(ROOT).join(''));
    assert.deepEqual(errors, [], `examples refused:\n${errors.join('\n')}`);
    assert.equal(r.code, 0, r.stderr);
    // Every object was sent: kubectl prints one line per object it applied.
    const expectedObjects = swept.reduce((n, f) => n + objectsOf(f).length, 0);
    assert.equal(r.stdout.split('\n').filter((l) => /\(server dry run\)$/.test(l)).length, expectedObjects, r.stdout);
    const warnings = lines.filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length)).sort();
    // kubectl prints each distinct warning once per invocation (its warning writer deduplicates).
    assert.deepEqual(warnings, [...new Set(EXPECTED_WARNINGS.map((w) => w.warning))].sort(), `warnings differ from upstream's; per file:\n${await warningsPerFile(s, swept)}`);
  });

  test('kubectl create --dry-run=server -o json defaults a Deployment, a Pod and a Service as upstream', async () => {
    const created = async (o: object): Promise<{ spec: Record<string, unknown>; status?: unknown }> =>
      JSON.parse(await kubectlOk(s, ['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(o) })) as { spec: Record<string, unknown> };
    // SetDefaults_PodSpec and SetDefaults_Container (pkg/apis/core/v1/defaults.go): policies, grace
    // period, scheduler, an empty securityContext and resources, the termination message, and the pull
    // policy from the tag (IfNotPresent for a tag, Always for none or :latest); ports default to TCP.
    const templateSpec = {
      containers: [{ image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
    };
    const deployment = await created({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } } } });
    // SetDefaults_Deployment (pkg/apis/apps/v1/defaults.go): one replica, RollingUpdate 25%/25%, ten revisions, 600 s deadline.
    assert.deepEqual(deployment.spec, {
      progressDeadlineSeconds: 600, replicas: 1, revisionHistoryLimit: 10, selector: { matchLabels: { app: 'web' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: { metadata: { labels: { app: 'web' } }, spec: templateSpec },
    });
    const pod = await created({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    // Beyond the PodSpec defaults: enableServiceLinks (SetDefaults_PodSpec), priority and preemptionPolicy
    // (Priority admission, no PriorityClass), the service account (ServiceAccount admission; no token
    // volume here, as no controller made the namespace's default ServiceAccount); status Pending, BestEffort.
    assert.deepEqual(pod.spec, {
      containers: [{ image: 'busybox', imagePullPolicy: 'Always', name: 'c', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
      dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0, restartPolicy: 'Always',
      schedulerName: 'default-scheduler', securityContext: {}, serviceAccount: 'default', serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
    });
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
    const service = await created({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    // SetDefaults_Service (sessionAffinity None, type ClusterIP, protocol TCP, targetPort = port,
    // internalTrafficPolicy Cluster) and the allocator's initIPFamilyFields (SingleStack, the cluster's family).
    const { clusterIP, clusterIPs, ...rest } = service.spec;
    assert.match(String(clusterIP), /^10\.43\.\d+\.\d+$/);
    assert.deepEqual(clusterIPs, [clusterIP]);
    assert.deepEqual(rest, {
      internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      selector: { app: 'web' }, sessionAffinity: 'None', type: 'ClusterIP',
    });
    assert.deepEqual(service.status, { loadBalancer: {} });
  });
});

/** Only on failure: which file gave which warning (one kubectl per file; slow, so not the sweep itself). */
async function warningsPerFile(s: TestServer, files: string[]): Promise<string> {
  const out: string[] = [];
  for (const f of files) {
    const r = await s.kubectl(['apply', '--dry-run=server', '-f', join(ROOT, f)]);
    for (const l of r.stderr.split('\n').filter((x) => x.startsWith('Warning: '))) out.push(`${f}: ${l}`);
  }
  return out.join('\n');
}
