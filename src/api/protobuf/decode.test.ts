import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { StatusError } from '../status.js';
import { decodeKubernetesProtobuf, PROTOBUF_MAGIC } from './decode.js';
import { kubernetesProtoRoot, unknownType } from './schema.js';

const TESTDATA = new URL('./testdata/', import.meta.url);

/** Bytes as a Go client would send them: magic + runtime.Unknown{typeMeta, raw}. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Record<string, unknown> = {}): Uint8Array {
  const u = unknownType();
  const body = u.encode(u.fromObject({ typeMeta: { apiVersion, kind }, raw, ...extra })).finish();
  return Buffer.concat([PROTOBUF_MAGIC, body]);
}

function encode(typeName: string, obj: Record<string, unknown>): Uint8Array {
  const t = kubernetesProtoRoot().lookupType(typeName);
  return t.encode(t.fromObject(obj)).finish();
}

test('bytes captured from kubectl 1.32 decode to the JSON form kubectl would send', () => {
  for (const name of [
    'deployment', 'configmap', 'secret', 'namespace', 'selfsubjectaccessreview', 'selfsubjectrulesreview',
    'service-clusterip', 'service-headless', 'service-nodeport', 'service-loadbalancer', 'service-externalname', 'serviceaccount',
  ]) {
    const bytes = readFileSync(new URL(`${name}.pb`, TESTDATA));
    const expected = JSON.parse(readFileSync(new URL(`${name}.json`, TESTDATA), 'utf8'));
    assert.deepEqual(decodeKubernetesProtobuf(bytes), expected, name);
  }
});

// Go writes every non-pointer field (zeros included) and no nil pointer; this mimics that.
const goDeployment = {
  metadata: {
    name: 'api', namespace: 'prod', generateName: '', uid: '', resourceVersion: '', generation: 0,
    creationTimestamp: { seconds: 0, nanos: 0 },
    deletionTimestamp: { seconds: 1700000000, nanos: 0 },
    labels: { app: 'api' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:spec":{}}') }, subresource: '' }],
  },
  spec: {
    replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 1, intVal: 0, strVal: '25%' }, maxUnavailable: { type: 0, intVal: 1, strVal: '' } } },
    template: {
      metadata: { name: '', creationTimestamp: { seconds: 0, nanos: 0 }, labels: { app: 'api' }, annotations: { 'a/b': 'c' } },
      spec: {
        restartPolicy: 'Always', dnsPolicy: '', hostNetwork: false, terminationGracePeriodSeconds: 0, serviceAccountName: '',
        containers: [{
          name: 'app', image: 'busybox', command: ['sh', '-c'], args: ['sleep 1d'], workingDir: '', stdin: false, tty: false,
          ports: [{ name: 'http', containerPort: 8080, hostPort: 0, protocol: 'TCP', hostIP: '' }],
          env: [{ name: 'A', value: '' }, { name: 'B', valueFrom: { secretKeyRef: { localObjectReference: { name: 's' }, key: 'k', optional: false } } }],
          resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } }, requests: { cpu: { string: '100m' } } },
          volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: '' }],
          livenessProbe: {
            handler: { httpGet: { path: '/healthz', port: { type: 1, intVal: 0, strVal: 'http' }, host: '', scheme: 'HTTP' } },
            initialDelaySeconds: 5, timeoutSeconds: 0, periodSeconds: 10, successThreshold: 0, failureThreshold: 3,
          },
          readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080, strVal: '' }, host: '' } }, initialDelaySeconds: 0 },
          securityContext: { runAsUser: 0, runAsNonRoot: false },
        }],
        volumes: [{ name: 'data', volumeSource: { emptyDir: { medium: '', sizeLimit: { string: '1Gi' } } } }],
      },
    },
  },
  status: { replicas: 0, observedGeneration: 0 },
};

test('a Deployment with common fields decodes like its JSON form', () => {
  const probeKeys = Object.keys(kubernetesProtoRoot().lookupType('k8s.io.api.core.v1.Probe').fields);
  assert.ok(probeKeys.includes('handler'), 'Probe embeds ProbeHandler as field "handler" (Go inlines it in JSON)');
  const got = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', encode('k8s.io.api.apps.v1.Deployment', goDeployment)));
  assert.deepEqual(got, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'api', namespace: 'prod', deletionTimestamp: '2023-11-14T22:13:20Z', labels: { app: 'api' },
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      replicas: 0, revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'api' }, annotations: { 'a/b': 'c' } },
        spec: {
          restartPolicy: 'Always', terminationGracePeriodSeconds: 0,
          containers: [{
            name: 'app', image: 'busybox', command: ['sh', '-c'], args: ['sleep 1d'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'A' }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: false } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            securityContext: { runAsUser: 0, runAsNonRoot: false },
          }],
          volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
        },
      },
    },
    status: {},
  });
});

test('Eviction keeps a zero grace period (a Go pointer) and drops the zero creationTimestamp', () => {
  const raw = encode('k8s.io.api.policy.v1.Eviction', {
    metadata: { name: 'p1', namespace: 'default', creationTimestamp: {} },
    deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'] },
  });
  assert.deepEqual(decodeKubernetesProtobuf(envelope('policy/v1', 'Eviction', raw)), {
    apiVersion: 'policy/v1', kind: 'Eviction',
    metadata: { name: 'p1', namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'] },
  });
});

test("a field whose protobuf name is not its JSON name decodes under the JSON name (BoundObjectReference's uID is uid)", () => {
  const raw = encode('k8s.io.api.authentication.v1.TokenRequest', { spec: { audiences: ['x'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uID: 'u-1' } } });
  const obj = decodeKubernetesProtobuf(envelope('authentication.k8s.io/v1', 'TokenRequest', raw)) as unknown as { spec: { boundObjectRef: Record<string, unknown> } };
  assert.deepEqual(obj.spec.boundObjectRef, { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' });
});

test('fields unknown to our schema are skipped', () => {
  const raw = encode('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' }, data: { a: 'b' } });
  // Field 999 (varint 7), field 1000 (length-delimited "hi"), then a known field again.
  const unknown = Buffer.from([0xb8, 0x3e, 0x07, 0xc2, 0x3e, 0x02, 0x68, 0x69]);
  const body = envelope('v1', 'ConfigMap', Buffer.concat([raw, unknown]), { contentType: 'application/vnd.kubernetes.protobuf' });
  assert.deepEqual(decodeKubernetesProtobuf(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });
});

test('malformed bodies are 400 BadRequest naming the problem', () => {
  const cm = encode('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' } });
  const cases: [string, Uint8Array, RegExp][] = [
    ['no magic', Buffer.from('{"kind":"ConfigMap"}'), /magic/],
    ['empty', new Uint8Array(0), /magic/],
    ['truncated envelope', envelope('v1', 'ConfigMap', cm).subarray(0, 9), /malformed protobuf envelope/],
    ['no kind', envelope('v1', '', cm), /Kind' is missing/],
    ['unknown kind', envelope('v1', 'Widget', cm), /no kind "Widget" is registered for version "v1"/],
    ['gzip', envelope('v1', 'ConfigMap', cm, { contentEncoding: 'gzip' }), /content encoding "gzip"/],
    ['truncated object', envelope('v1', 'ConfigMap', cm.subarray(0, cm.length - 1)), /malformed protobuf ConfigMap/],
  ];
  for (const [name, body, message] of cases) {
    assert.throws(() => decodeKubernetesProtobuf(body), (err: unknown) => {
      assert.ok(err instanceof StatusError, name);
      assert.equal(err.code, 400, name);
      assert.equal(err.reason, 'BadRequest', name);
      assert.match(err.message, message, name);
      return true;
    });
  }
});
