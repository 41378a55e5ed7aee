/**
 * The agent's webhook reviews against a real in-process API server: a ServiceAccount token from
 * `kubectl create token` is reviewed to its user (TokenReview), a forged one is not, and both
 * answers are cached (one review per token within the TTL, as the kubelet's webhook cache);
 * system:masters callers are allowed without a SubjectAccessReview.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../client/kube-client.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { webhookReviews } from './webhook-reviews.js';

describe('agent webhook reviews', () => {
  let server: TestServer;
  let client: KubeClient;
  before(async () => {
    server = await startTestServer();
    client = KubeClient.fromKubeconfig(server.kubeconfig);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('reviews a ServiceAccount token through TokenReview and caches both answers', async () => {
    await kubectlOk(server, ['create', 'serviceaccount', 'wr-monitor']);
    const token = (await kubectlOk(server, ['create', 'token', 'wr-monitor'])).trim();
    let now = 1_000;
    const reviews = webhookReviews(client, { now: () => now });
    const user = await reviews.authenticateToken(token);
    assert.equal(user?.name, 'system:serviceaccount:default:wr-monitor');
    assert.ok(user?.groups.includes('system:serviceaccounts:default'));
    assert.equal(await reviews.authenticateToken(`${token.slice(0, -4)}AAAA`), undefined);
    assert.equal(reviews.reviews.tokens, 2);
    await reviews.authenticateToken(token);
    await reviews.authenticateToken(`${token.slice(0, -4)}AAAA`);
    assert.equal(reviews.reviews.tokens, 2, 'answers come from the cache within the TTL');
    now += 121_000;
    await reviews.authenticateToken(token);
    assert.equal(reviews.reviews.tokens, 3, 'asked again after the 2 min TTL');
  });

  it('allows system:masters without asking', async () => {
    const reviews = webhookReviews(client);
    assert.equal(await reviews.authorize({ name: 'kube-apiserver-kubelet-client', groups: ['system:masters'] }, { verb: 'create', resource: 'nodes', subresource: 'proxy', name: 'n1', path: '/exec/a/b/c' }), true);
    assert.equal(reviews.reviews.access, 0);
  });
});
