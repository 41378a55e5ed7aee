/**
 * PodSecurity admission through the real API and the real kubectl, as an ordinary user (a client
 * certificate outside system:masters): in a namespace labelled enforce=baseline a privileged,
 * hostPath or hostPID pod is refused 403 with upstream's message and nothing is stored; the warn
 * label makes kubectl print upstream's "Warning: would violate PodSecurity ..."; Deployments get
 * warnings, never refusals; bad labels are refused; tightening a namespace warns about its pods
 * (staging/src/k8s.io/pod-security-admission/admission/admission.go). The server keeps a Metadata
 * audit log, where the plugin's audit annotations must land (enforce-policy, audit-violations).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../../testing/kubectl-ok.js';
import { runKubectl, startTestServer, type KubectlOptions, type TestServer } from '../../../testing/test-cluster.js';
import { writeKubeconfig } from '../../pki/kubeconfig.js';
import { issueClientCertificate } from '../../pki/pki.js';
import type { ApiServer } from '../../server.js';
import type { AuditEvent } from '../../audit/auditor.js';
import { parseAuditPolicy } from '../../audit/policy.js';

const P = `psa-${process.pid}-${Date.now().toString(36)}`;
const ENFORCED = `${P}-enf`;
const WARNED = `${P}-warn`;
let ts: TestServer & { server: ApiServer };
let dir: string;
let user: Pick<TestServer, 'kubectl'>;

const pod = (ns: string, name: string, spec: object) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'bosun.test/busybox:1' }], ...spec },
});
const privileged = { containers: [{ name: 'c', image: 'bosun.test/busybox:1', securityContext: { privileged: true } }] };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bosun-psa-'));
  ts = await startTestServer({ audit: { policy: parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]'), path: join(dir, 'audit.log') } });
  const kubeconfig = join(dir, 'alice.yaml');
  writeKubeconfig(kubeconfig, { server: ts.url, caCert: ts.server.pki.ca.cert, client: issueClientCertificate(ts.server.pki, 'alice', ['developers']), user: 'alice' });
  user = { kubectl: (args: string[], o?: KubectlOptions) => runKubectl(kubeconfig, join(dir, 'cache'), args, o) };
  // A developer: what `edit` aggregates (RBAC; no aggregation controller runs beside this server).
  for (const role of ['system:aggregate-to-edit', 'system:aggregate-to-view']) {
    await kubectlOk(ts, ['create', 'clusterrolebinding', `${P}-${role.slice(7)}`, `--clusterrole=${role}`, '--group=developers']);
  }
  // ...who may also label namespaces (the PodSecurity level checks of a namespace update).
  await kubectlOk(ts, ['create', 'clusterrole', `${P}-ns-labeller`, '--verb=get,patch', '--resource=namespaces']);
  await kubectlOk(ts, ['create', 'clusterrolebinding', `${P}-ns-labeller`, `--clusterrole=${P}-ns-labeller`, '--group=developers']);
  await kubectlOk(ts, ['create', 'namespace', ENFORCED]);
  await kubectlOk(ts, ['label', 'namespace', ENFORCED, 'pod-security.kubernetes.io/enforce=baseline']);
  await kubectlOk(ts, ['create', 'namespace', WARNED]);
  await kubectlOk(ts, ['label', 'namespace', WARNED, 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/audit=restricted']);
});

/** The pod-security.kubernetes.io annotations of the first completed request `which` picks in the audit log. */
function podSecurityAnnotations(which: (e: AuditEvent) => boolean): Record<string, string> | undefined {
  const ev = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent)
    .find((e) => e.stage === 'ResponseComplete' && which(e));
  return ev && Object.fromEntries(Object.entries(ev.annotations ?? {}).filter(([k]) => k.startsWith('pod-security.kubernetes.io/')));
}

after(async () => {
  await ts?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PodSecurity admission', () => {
  it('refuses privileged, hostPath and hostPID pods under enforce=baseline with 403 and stores nothing', async () => {
    const attacks: [string, object, string][] = [
      ['priv', privileged, 'privileged (container "c" must not set securityContext.privileged=true)'],
      ['hostpath', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, 'hostPath volumes (volume "root")'],
      ['hostpid', { hostPID: true }, 'host namespaces (hostPID=true)'],
    ];
    for (const [name, spec, detail] of attacks) {
      const r = await user.kubectl(['create', '-f', '-'], { input: pod(ENFORCED, name, spec) });
      assert.notEqual(r.code, 0, `${name} was created`);
      assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "STDIN": pods "${name}" is forbidden: violates PodSecurity "baseline:latest": ${detail}`);
    }
    const raw = await user.kubectl(['create', '--raw', `/api/v1/namespaces/${ENFORCED}/pods`, '-f', '-'], { input: pod(ENFORCED, 'raw', privileged) });
    assert.match(raw.stderr, /Forbidden|forbidden/);
    assert.equal(await kubectlOk(ts, ['get', 'pods', '-n', ENFORCED, '-o', 'name']), '');
    // A pod within baseline is admitted; a later image change to it is evaluated again and admitted too.
    await kubectlOk(user, ['create', '-f', '-'], { input: pod(ENFORCED, 'fine', {}) });
    await kubectlOk(user, ['set', 'image', '-n', ENFORCED, 'pod/fine', 'c=bosun.test/busybox:2']);
  });

  it('warns under warn=restricted (kubectl prints the Warning) and admits the pod', async () => {
    const r = await user.kubectl(['create', '-f', '-'], { input: pod(WARNED, 'loose', {}) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities .*seccompProfile \(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\)$/m);
    await kubectlOk(ts, ['get', 'pod', '-n', WARNED, 'loose']);
  });

  it('gives pod templates of workloads warnings, never a refusal', async () => {
    const r = await user.kubectl(['create', 'deployment', 'web', '-n', ENFORCED, '--image=bosun.test/busybox:1', '--dry-run=server', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    const dep = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'privdep', namespace: ENFORCED },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: privileged } },
    });
    const d = await user.kubectl(['create', '-f', '-'], { input: dep });
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /^Warning: would violate PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext.privileged=true\)$/m);
  });

  it('validates seccomp Localhost profiles as upstream (relative, no "..", only for Localhost)', async () => {
    const bad = async (name: string, seccompProfile: object) => {
      const r = await user.kubectl(['create', '-f', '-'], { input: pod(WARNED, name, { securityContext: { seccompProfile } }) });
      assert.notEqual(r.code, 0);
      return r.stderr.trim();
    };
    assert.match(await bad('sc1', { type: 'Localhost' }), /Pod "sc1" is invalid: spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost$/);
    assert.match(await bad('sc2', { type: 'Localhost', localhostProfile: '../../etc/shadow' }), /spec.securityContext.seccompProfile.localhostProfile: Invalid value: "..\/..\/etc\/shadow": must not contain '..'$/);
    assert.match(await bad('sc3', { type: 'Localhost', localhostProfile: '/etc/p.json' }), /localhostProfile: Invalid value: "\/etc\/p.json": must be a relative path$/);
    assert.match(await bad('sc4', { type: 'Bogus' }), /spec.securityContext.seccompProfile.type: Unsupported value: "Bogus"/);
  });

  it("records upstream's audit annotations: the enforce level a pod is judged by, the audit level's violations", async () => {
    const annotations = (resource: string, ns: string, name: string) => podSecurityAnnotations((e) => e.verb === 'create' && e.objectRef?.resource === resource && e.objectRef.namespace === ns && e.objectRef.name === name);
    const dryRun = ['create', '--dry-run=server', '-f', '-'];
    assert.notEqual((await user.kubectl(dryRun, { input: pod(ENFORCED, 'audit-priv', privileged) })).code, 0);
    assert.deepEqual(annotations('pods', ENFORCED, 'audit-priv'), { 'pod-security.kubernetes.io/enforce-policy': 'baseline:latest' });
    await kubectlOk(user, dryRun, { input: pod(WARNED, 'audit-loose', {}) });
    const loose = annotations('pods', WARNED, 'audit-loose');
    assert.equal(loose?.['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
    assert.match(loose?.['pod-security.kubernetes.io/audit-violations'] ?? '', /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), .*seccompProfile/);
    // Fully privileged (no labels): upstream's shared privileged answer.
    await kubectlOk(user, dryRun, { input: pod('default', `${P}-free`, {}) });
    assert.deepEqual(annotations('pods', 'default', `${P}-free`), { 'pod-security.kubernetes.io/enforce-policy': 'privileged:latest' });
    // A workload's template is audited, never enforced: no enforce-policy.
    await kubectlOk(user, ['create', 'deployment', 'audit-dep', '-n', WARNED, '--image=bosun.test/busybox:1', '--dry-run=server']);
    assert.deepEqual(Object.keys(annotations('deployments', WARNED, 'audit-dep') ?? {}), ['pod-security.kubernetes.io/audit-violations']);
  });

  it('lets kubectl scale of a Deployment through unexamined: no warning, no audit annotation (upstream skips subresources)', async () => {
    const created = await user.kubectl(['create', 'deployment', 'scaled', '-n', WARNED, '--image=bosun.test/busybox:1']);
    assert.match(created.stderr, /^Warning: would violate PodSecurity "restricted:latest"/m);
    const r = await user.kubectl(['scale', 'deployment', 'scaled', '-n', WARNED, '--replicas=3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(await kubectlOk(ts, ['get', 'deployment', 'scaled', '-n', WARNED, '-o', 'jsonpath={.spec.replicas}']), '3');
    const scaled = podSecurityAnnotations((e) => e.objectRef?.resource === 'deployments' && e.objectRef.subresource === 'scale' && e.objectRef.name === 'scaled' && e.responseStatus?.code === 200);
    assert.deepEqual(scaled, {});
  });

  it('refuses invalid labels and warns when enforce is tightened over violating pods', async () => {
    const bad = await user.kubectl(['label', 'namespace', WARNED, 'pod-security.kubernetes.io/enforce=strict']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Namespace "[^"]+" is invalid: metadata.labels\[pod-security.kubernetes.io\/enforce\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);
    const r = await user.kubectl(['label', 'namespace', WARNED, 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Warning: existing pods in namespace "${WARNED}" violate the new PodSecurity enforce level "restricted:latest"`));
    assert.match(r.stderr, /Warning: loose: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile/);
  });
});
