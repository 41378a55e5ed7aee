/**
 * Upstream's sample admission webhook (test/images/agnhost/webhook) as the AdmissionWebhook
 * conformance tests (webhooks.test.ts) use it: one behaviour per path of the shared test webhook
 * server (apiserver/admission/dynamic/testing/webhook-server.ts).
 */
import type { ConfigMap } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { Handler } from '../../apiserver/admission/dynamic/testing/webhook-server.js';

const jsonPatch = (ops: object[]): ReturnType<Handler> => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
const deny = (message: string): ReturnType<Handler> => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message } });
const dataOf = (o: unknown) => ((o as ConfigMap | null)?.data ?? {});

/** The behaviours, by path. */
export const sampleWebhook: Record<string, Handler> = {
  '/configmaps': (r) => (dataOf(r.object)['webhook-e2e-test'] === 'webhook-disallow' ? deny('the configmap contains unwanted key and value') : { allowed: true }),
  '/pods': (r) => ((r.object as KubeObject & { spec?: { containers?: { name: string }[] } })?.spec?.containers?.some((c: { name: string }) => c.name === 'webhook-disallow') ? deny('the pod contains unwanted container name') : { allowed: true }),
  '/wait-forever': () => 'hang',
  '/always-deny': () => deny('this webhook denies all requests'),
  '/mutating-configmaps': (r) => {
    const d = dataOf(r.object);
    if (d['mutation-start'] === 'yes' && !d['mutation-stage-1']) return jsonPatch([{ op: 'add', path: '/data/mutation-stage-1', value: 'yes' }]);
    if (d['mutation-stage-1'] === 'yes' && !d['mutation-stage-2']) return jsonPatch([{ op: 'add', path: '/data/mutation-stage-2', value: 'yes' }]);
    return { allowed: true };
  },
  '/add-stage-1': (r) => jsonPatch([r.object && (r.object as ConfigMap).data ? { op: 'add', path: '/data/mutation-stage-1', value: 'yes' } : { op: 'add', path: '/data', value: { 'mutation-stage-1': 'yes' } }]),
  '/mutating-pods': () => jsonPatch([{ op: 'add', path: '/spec/initContainers', value: [{ name: 'webhook-added-init-container', image: 'registry.k8s.io/pause:3.10', resources: {} }] }]),
  '/crd': () => deny('the crd contains unwanted label'),
  '/custom-resource': (r) => {
    if (r.operation === 'DELETE') return dataOf(r.oldObject)['webhook-e2e-test'] === 'webhook-nondeletable' ? deny('the custom resource cannot be deleted because it contains unwanted key and value') : { allowed: true };
    return dataOf(r.object)['webhook-e2e-test'] === 'webhook-disallow' ? deny('the custom resource contains unwanted data') : { allowed: true };
  },
  // agnhost's denySpecificAttachment: `kubectl attach to-be-attached-pod -i -c=container1` is refused;
  // a request that is not the CONNECT of pods/attach with PodAttachOptions is an error, as there.
  '/pods/attach': (r) => {
    if (r.name !== 'to-be-attached-pod') return { allowed: true };
    const o = r.object as KubeObject & { stdin?: boolean; container?: string } | null;
    if (r.resource.resource !== 'pods' || r.subResource !== 'attach' || r.operation !== 'CONNECT' || o?.kind !== 'PodAttachOptions' || r.kind.kind !== 'PodAttachOptions') {
      return { allowed: false, status: { code: 500, message: `unexpected review: ${JSON.stringify({ ...r, userInfo: undefined })}` } };
    }
    if (!o.stdin || o.container !== 'container1') return { allowed: true };
    return { allowed: false, status: { message: "attaching to pod 'to-be-attached-pod' is not allowed" } };
  },
  '/add-label': (r) => jsonPatch([r.object?.metadata?.labels ? { op: 'add', path: '/metadata/labels/mutated', value: 'yes' } : { op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }]),
};
