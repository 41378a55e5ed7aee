/**
 * A small operator written against @kubernetes/client-node, as operators are: an informer on its
 * custom kind (Widget), and for each Widget a Deployment it owns with the Widget's replicas, then the
 * Widget's status (replicas, selector) through the status subresource. Two ways to run:
 * - as a process with a kubeconfig holding a ServiceAccount token: node widget-operator <kubeconfig> <namespace>
 *   (crd-operator.test.ts);
 * - with no arguments, in a pod: KubeConfig.loadFromCluster() (KUBERNETES_SERVICE_HOST/PORT, the mounted
 *   ServiceAccount token and ca.crt), watching the pod's own namespace (bosun.test/node-operator:1 from
 *   scripts/build-test-node-operator-image.sh, test/e2e/operator-pod.test.ts).
 * WIDGET_IMAGE is the image of the owned Deployment's pods (default registry.local/widget:1).
 */
import { readFileSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';

interface Widget { metadata: { name: string; uid: string }; spec?: { replicas?: number } }

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const [kubeconfig, nsArg] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
if (kubeconfig) kc.loadFromFile(kubeconfig);
else kc.loadFromCluster();
const ns = nsArg ?? readFileSync(SA_NAMESPACE, 'utf8').trim();
const image = process.env.WIDGET_IMAGE ?? 'registry.local/widget:1';
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const gvr = { group: 'example.com', version: 'v1', namespace: ns, plural: 'widgets' };

async function reconcile(w: Widget): Promise<void> {
  const name = w.metadata.name;
  const replicas = w.spec?.replicas ?? 1;
  try {
    const d = await apps.readNamespacedDeployment({ name, namespace: ns });
    if (d.spec?.replicas !== replicas) await apps.patchNamespacedDeployment({ name, namespace: ns, body: { spec: { replicas } } }, merge);
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        apiVersion: 'apps/v1', kind: 'Deployment',
        metadata: { name, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name, uid: w.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        spec: { replicas, selector: { matchLabels: { widget: name } }, template: { metadata: { labels: { widget: name } }, spec: { containers: [{ name: 'app', image }] } } },
      },
    });
  }
  await custom.patchNamespacedCustomObjectStatus({ ...gvr, name, body: { status: { replicas, selector: `widget=${name}` } } }, merge);
}

let chain = Promise.resolve();
const enqueue = (w: Widget): void => {
  chain = chain.then(() => reconcile(w)).catch((err: unknown) => console.error('reconcile failed:', err));
};
const informer = k8s.makeInformer<Widget & k8s.KubernetesObject>(kc, `/apis/example.com/v1/namespaces/${ns}/widgets`,
  () => custom.listNamespacedCustomObject(gvr) as Promise<k8s.KubernetesListObject<Widget & k8s.KubernetesObject>>);
informer.on('add', enqueue);
informer.on('update', enqueue);
informer.on('error', (err: unknown) => {
  console.error('watch failed, restarting:', err);
  setTimeout(() => void informer.start(), 1000);
});
await informer.start();
console.log(`operator started in namespace ${ns} (${kubeconfig ? 'kubeconfig' : 'in-cluster'})`);
