import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { registry } from '../registry.js';

const def = (plural: string, group = '') => registry.byResource(group, 'v1', plural)!;
const pod = (spec: object, meta: object = {}): any => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...meta }, spec });
const clone = <T>(x: T): T => structuredClone(x);

test('defaults match upstream', async (t) => {
  const cases: { name: string; plural: string; group?: string; obj: any; path: string; want: unknown }[] = [
    { name: 'pod restartPolicy', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.restartPolicy', want: 'Always' },
    { name: 'pod dnsPolicy', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.dnsPolicy', want: 'ClusterFirst' },
    { name: 'pod grace', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.terminationGracePeriodSeconds', want: 30 },
    { name: 'pod scheduler', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.schedulerName', want: 'default-scheduler' },
    { name: 'pod service links', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.enableServiceLinks', want: true },
    { name: 'pod securityContext', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.securityContext', want: {} },
    { name: 'pull Always without tag', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx' }] }), path: 'spec.containers.0.imagePullPolicy', want: 'Always' },
    { name: 'pull Always for :latest', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'reg:5000/nginx:latest' }] }), path: 'spec.containers.0.imagePullPolicy', want: 'Always' },
    { name: 'pull IfNotPresent with tag', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'reg:5000/nginx:1.25' }] }), path: 'spec.containers.0.imagePullPolicy', want: 'IfNotPresent' },
    { name: 'pull IfNotPresent with digest', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'nginx@sha256:abc' }] }), path: 'spec.containers.0.imagePullPolicy', want: 'IfNotPresent' },
    { name: 'termination message path', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'x' }] }), path: 'spec.containers.0.terminationMessagePath', want: '/dev/termination-log' },
    { name: 'port protocol', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }] }] }), path: 'spec.containers.0.ports.0.protocol', want: 'TCP' },
    { name: 'probe defaults', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'x', readinessProbe: { httpGet: { port: 80 } } }] }), path: 'spec.containers.0.readinessProbe', want: { httpGet: { port: 80, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } },
    { name: 'configMap volume mode', plural: 'pods', obj: pod({ containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', configMap: { name: 'cm' } }] }), path: 'spec.volumes.0.configMap.defaultMode', want: 420 },
    { name: 'service type', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }, path: 'spec.type', want: 'ClusterIP' },
    { name: 'service affinity', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }, path: 'spec.sessionAffinity', want: 'None' },
    { name: 'service targetPort', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }, path: 'spec.ports.0.targetPort', want: 80 },
    { name: 'service port protocol', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }, path: 'spec.ports.0.protocol', want: 'TCP' },
    { name: 'secret type', plural: 'secrets', obj: { metadata: { name: 's', namespace: 'd' } }, path: 'type', want: 'Opaque' },
    { name: 'namespace label', plural: 'namespaces', obj: { metadata: { name: 'team-a' } }, path: 'metadata.labels', want: { 'kubernetes.io/metadata.name': 'team-a' } },
    { name: 'namespace phase', plural: 'namespaces', obj: { metadata: { name: 'team-a' } }, path: 'status.phase', want: 'Active' },
    { name: 'deployment replicas', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }, path: 'spec.replicas', want: 1 },
    { name: 'deployment strategy', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: {} }, path: 'spec.strategy', want: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } },
    { name: 'deployment history', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: {} }, path: 'spec.revisionHistoryLimit', want: 10 },
    { name: 'deployment deadline', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: {} }, path: 'spec.progressDeadlineSeconds', want: 600 },
    { name: 'template gets pod spec defaults', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } }, path: 'spec.template.spec.containers.0.imagePullPolicy', want: 'IfNotPresent' },
    { name: 'template has no enableServiceLinks (SetDefaults_Pod only)', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } }, path: 'spec.template.spec.enableServiceLinks', want: undefined },
    { name: 'replicaset replicas', plural: 'replicasets', group: 'apps', obj: { metadata: { name: 'r', namespace: 'n' }, spec: {} }, path: 'spec.replicas', want: 1 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const obj = clone(c.obj);
      def(c.plural, c.group).applyDefaults(obj);
      const got = c.path.split('.').reduce((v: any, k) => v?.[k], obj);
      assert.deepEqual(got, c.want);
    });
  }
});

const goodPod = () => pod({ containers: [{ name: 'c', image: 'nginx' }] });

test('validation paths and messages', async (t) => {
  const cases: { name: string; plural?: string; group?: string; obj: any; field: string; detail: RegExp }[] = [
    { name: 'bad pod name', obj: { ...goodPod(), metadata: { name: 'Bad_Name', namespace: 'default' } }, field: 'metadata.name', detail: /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/ },
    { name: 'missing name', obj: { ...goodPod(), metadata: { namespace: 'default' } }, field: 'metadata.name', detail: /^Required value: name or generateName is required$/ },
    { name: 'bad label key', obj: { ...goodPod(), metadata: { name: 'p', namespace: 'd', labels: { '-x': 'y' } } }, field: 'metadata.labels', detail: /^Invalid value: "-x": name part must consist of alphanumeric characters/ },
    { name: 'bad label value', obj: { ...goodPod(), metadata: { name: 'p', namespace: 'd', labels: { x: 'a b' } } }, field: 'metadata.labels', detail: /^Invalid value: "a b": a valid label must be an empty string or consist of/ },
    { name: 'no containers', obj: pod({}), field: 'spec.containers', detail: /^Required value$/ },
    { name: 'no image', obj: pod({ containers: [{ name: 'c' }] }), field: 'spec.containers[0].image', detail: /^Required value$/ },
    { name: 'no container name', obj: pod({ containers: [{ image: 'x' }] }), field: 'spec.containers[0].name', detail: /^Required value$/ },
    { name: 'duplicate container', obj: pod({ containers: [{ name: 'c', image: 'x' }, { name: 'c', image: 'y' }] }), field: 'spec.containers[1].name', detail: /^Duplicate value: "c"$/ },
    { name: 'restartPolicy enum', obj: pod({ containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Sometimes' }), field: 'spec.restartPolicy', detail: /^Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"$/ },
    { name: 'pull policy enum', obj: pod({ containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Maybe' }] }), field: 'spec.containers[0].imagePullPolicy', detail: /^Unsupported value: "Maybe"/ },
    { name: 'type mismatch', obj: pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 'eighty' }] }] }), field: 'spec.containers[0].ports[0].containerPort', detail: /must be of type integer/ },
    { name: 'port range', obj: pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] }), field: 'spec.containers[0].ports[0].containerPort', detail: /^Invalid value: 70000: must be between 1 and 65535, inclusive$/ },
    { name: 'mount of unknown volume', obj: pod({ containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }] }), field: 'spec.containers[0].volumeMounts[0].name', detail: /^Not found: "nope"$/ },
    { name: 'service name is DNS-1035', plural: 'services', obj: { metadata: { name: '1svc', namespace: 'd' }, spec: { ports: [{ port: 80 }] } }, field: 'metadata.name', detail: /a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/ },
    { name: 'service type enum', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { type: 'Weird', ports: [{ port: 80 }] } }, field: 'spec.type', detail: /^Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"$/ },
    { name: 'service protocol enum', plural: 'services', obj: { metadata: { name: 's', namespace: 'd' }, spec: { ports: [{ port: 80, protocol: 'HTTP' }] } }, field: 'spec.ports[0].protocol', detail: /^Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"$/ },
    { name: 'namespace name is a label', plural: 'namespaces', obj: { metadata: { name: 'a.b' } }, field: 'metadata.name', detail: /a lowercase RFC 1123 label must consist of/ },
    { name: 'selector must match template', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } }, field: 'spec.template.metadata.labels', detail: /^Invalid value: map\[string\]string\{"app":"b"\}: `selector` does not match template `labels`$/ },
    { name: 'deployment needs selector', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } }, field: 'spec.selector', detail: /^Required value$/ },
    { name: 'template restartPolicy', plural: 'deployments', group: 'apps', obj: { metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } }, field: 'spec.template.spec.restartPolicy', detail: /^Unsupported value: "Never": supported values: "Always"$/ },
    { name: 'template container image', plural: 'replicasets', group: 'apps', obj: { metadata: { name: 'r', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }] } } } }, field: 'spec.template.spec.containers[0].image', detail: /^Required value$/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const d = def(c.plural ?? 'pods', c.group);
      const obj = clone(c.obj);
      d.applyDefaults(obj);
      const errs = d.validate(obj);
      const hit = errs.find((e) => e.field === c.field && c.detail.test(e.detail));
      assert.ok(hit, `want ${c.field} ~ ${c.detail}, got ${JSON.stringify(errs, null, 1)}`);
    });
  }
  await t.test('a good pod is valid', () => {
    const p = goodPod();
    def('pods').applyDefaults(p);
    assert.deepEqual(def('pods').validate(p), []);
  });
});

test('immutable fields on update', async (t) => {
  const cases: { name: string; plural: string; group?: string; old: any; change: (o: any) => void; field: string | null }[] = [
    { name: 'pod image may change', plural: 'pods', old: goodPod(), change: (o) => { o.spec.containers[0].image = 'nginx:2'; }, field: null },
    { name: 'pod tolerations may be added', plural: 'pods', old: goodPod(), change: (o) => { o.spec.tolerations = [{ key: 'k', operator: 'Exists' }]; }, field: null },
    { name: 'pod command may not change', plural: 'pods', old: goodPod(), change: (o) => { o.spec.containers[0].command = ['sh']; }, field: 'spec' },
    { name: 'deployment selector', plural: 'deployments', group: 'apps', old: { metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a', b: 'c' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } }, change: (o) => { o.spec.selector.matchLabels.b = 'c'; }, field: 'spec.selector' },
    { name: 'service clusterIP', plural: 'services', old: { metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] } }, change: (o) => { o.spec.clusterIP = '10.0.0.6'; }, field: 'spec.clusterIPs[0]' },
    { name: 'immutable configmap', plural: 'configmaps', old: { metadata: { name: 'c', namespace: 'n' }, immutable: true, data: { a: '1' } }, change: (o) => { o.data.a = '2'; }, field: 'data' },
    { name: 'mutable configmap', plural: 'configmaps', old: { metadata: { name: 'c', namespace: 'n' }, data: { a: '1' } }, change: (o) => { o.data.a = '2'; }, field: null },
    { name: 'immutable secret', plural: 'secrets', old: { metadata: { name: 's', namespace: 'n' }, immutable: true, data: { a: 'MQ==' } }, change: (o) => { o.data.a = 'Mg=='; }, field: 'data' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const d = def(c.plural, c.group);
      const old = clone(c.old);
      d.applyDefaults(old);
      const nu = clone(old);
      c.change(nu);
      const errs = d.validate(nu, old);
      if (c.field === null) assert.deepEqual(errs, []);
      else assert.ok(errs.some((e) => e.field === c.field), JSON.stringify(errs));
    });
  }
});

test('unknown fields in Kubernetes notation', () => {
  const p: any = pod({ containers: [{ name: 'c', image: 'x', imagee: 'y', env: [{ name: 'A', vaule: 'b' }] }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } } });
  p.spec.volumes = [{ name: 'v', nfs: { server: 's', path: '/' } }];
  p.metadata.labelz = {};
  assert.deepEqual(def('pods').unknownFields(p).sort(), ['metadata.labelz', 'spec.containers[0].env[0].vaule', 'spec.containers[0].imagee']);
});

test('fieldInfo matches upstream patch metadata', async (t) => {
  const cases: { plural: string; group?: string; path: string; want: object }[] = [
    { plural: 'pods', path: 'spec.containers', want: { patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] } },
    { plural: 'pods', path: 'spec.containers.ports', want: { patchMergeKey: 'containerPort', patchStrategy: 'merge', listType: 'map', listMapKeys: ['containerPort', 'protocol'] } },
    { plural: 'pods', path: 'spec.containers.env', want: { patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] } },
    { plural: 'pods', path: 'spec.containers.volumeMounts', want: { patchMergeKey: 'mountPath', patchStrategy: 'merge', listType: 'map', listMapKeys: ['mountPath'] } },
    { plural: 'pods', path: 'spec.volumes', want: { patchMergeKey: 'name', patchStrategy: 'merge,retainKeys', listType: 'map', listMapKeys: ['name'] } },
    { plural: 'pods', path: 'spec.tolerations', want: { listType: 'atomic' } },
    { plural: 'pods', path: 'spec.containers.command', want: { listType: 'atomic' } },
    { plural: 'pods', path: 'metadata.finalizers', want: { patchStrategy: 'merge', listType: 'set' } },
    { plural: 'pods', path: 'metadata.ownerReferences', want: { patchMergeKey: 'uid', patchStrategy: 'merge', listType: 'map', listMapKeys: ['uid'] } },
    { plural: 'pods', path: 'status.conditions', want: { patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] } },
    { plural: 'services', path: 'spec.ports', want: { patchMergeKey: 'port', patchStrategy: 'merge', listType: 'map', listMapKeys: ['port', 'protocol'] } },
    { plural: 'deployments', group: 'apps', path: 'spec.template.spec.containers', want: { patchMergeKey: 'name', patchStrategy: 'merge', listType: 'map', listMapKeys: ['name'] } },
    { plural: 'deployments', group: 'apps', path: 'spec.strategy', want: { patchStrategy: 'retainKeys' } },
    { plural: 'nodes', path: 'status.addresses', want: { patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] } },
  ];
  for (const c of cases) {
    await t.test(`${c.plural} ${c.path}`, () => {
      const info = def(c.plural, c.group).fieldInfo(c.path.split('.'));
      assert.ok(info);
      const { type: _type, ...rest } = info;
      assert.deepEqual(rest, c.want);
    });
  }
  assert.equal(def('pods').fieldInfo(['spec', 'nope']), undefined);
});

test('a real multi-document manifest passes Strict validation', () => {
  const docs = parseAllDocuments(readFileSync(new URL('./testdata/app.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
  assert.ok(docs.length >= 5);
  for (const doc of docs) {
    const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
    const d = registry.byKind(group, version, doc.kind);
    assert.ok(d, `${doc.apiVersion} ${doc.kind} served`);
    if (d.namespaced) doc.metadata.namespace ??= 'default';
    assert.deepEqual(d.unknownFields(doc), [], `${doc.kind} unknown fields`);
    d.applyDefaults(doc);
    assert.deepEqual(d.validate(doc), [], `${doc.kind} valid`);
  }
});
