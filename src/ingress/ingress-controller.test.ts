/**
 * The Ingress controller against an API server in this process, its own identity and a backend on
 * loopback (fixtures.ts): it creates
 * the default class `bosun`, routes only its own class's Ingresses, publishes the node IP in their
 * status and takes it out when it stops, and leaves an administrator's `bosun` class as it is.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { IngressClass } from '../api/kinds/networking/ingress-class.js';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import type { KubeClient } from '../client/index.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { startIngressTestEnv, type IngressTestEnv } from './fixtures.js';
import { startIngressController, type IngressController } from './ingress-controller.js';

const NODE_IP = '192.0.2.7';
let env: IngressTestEnv;
let admin: KubeClient;
let identity: KubeClient;
let ctl: IngressController | undefined;

const ingress = (name: string, className: string): Ingress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name },
  spec: { ingressClassName: className, rules: [{ host: `${name}.test`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] },
});

function get(host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: ctl!.httpPort, path: '/x', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

const addresses = async (name: string): Promise<string[]> =>
  ((await admin.get<Ingress>(resources.ingresses, 'default', name)).status?.loadBalancer?.ingress ?? []).map((e) => e.ip ?? '');

describe('ingress controller (in-process API server)', () => {
  before(async () => {
    env = await startIngressTestEnv('ing-node', (req, res) => res.end(`backend ${req.headers['x-forwarded-host'] ?? ''}`));
    ({ admin, identity } = env);
    await admin.create(resources.ingresses, 'default', ingress('mine', 'bosun'));
    await admin.create(resources.ingresses, 'default', ingress('theirs', 'nginx'));
    ctl = await startIngressController({ client: identity, nodeIP: NODE_IP, httpPort: 0, host: '127.0.0.1', logger: quietLogger });
  });
  after(async () => {
    await ctl?.stop();
    await env.stop();
  });

  it('creates the default IngressClass bosun', async () => {
    const cls = await admin.get<IngressClass>(resources.ingressclasses, undefined, 'bosun');
    assert.equal(cls.spec?.controller, 'bosun.dev/ingress');
    assert.equal(cls.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
  });

  it('routes its own class\'s Ingress to the Service\'s endpoint by port name; another class\'s host is 404', async () => {
    assert.deepEqual(await get('mine.test'), { status: 200, body: 'backend mine.test' });
    assert.equal((await get('theirs.test')).status, 404);
  });

  it('publishes the node IP in its Ingress\'s status only', async () => {
    await eventually(async () => (await addresses('mine')).join() === NODE_IP, 'the node IP in mine');
    assert.deepEqual(await addresses('theirs'), []);
  });

  it('an Ingress moved to another class loses the route and the address; stopping withdraws the rest', async () => {
    await admin.create(resources.ingresses, 'default', ingress('moved', 'bosun'));
    await eventually(async () => (await addresses('moved')).join() === NODE_IP, 'the node IP in moved');
    await admin.patch(resources.ingresses, 'default', 'moved', 'merge', { spec: { ingressClassName: 'nginx' } });
    await eventually(async () => (await addresses('moved')).length === 0 && (await get('moved.test')).status === 404, 'moved given up');
    await ctl!.stop();
    ctl = undefined;
    assert.deepEqual(await addresses('mine'), []);
  });

  it('a class bosun the administrator made non-default is left so, and no-class Ingresses are then not its', async () => {
    const cls = await admin.get<IngressClass>(resources.ingressclasses, undefined, 'bosun');
    await admin.update(resources.ingressclasses, undefined, { ...cls, metadata: { ...cls.metadata, annotations: {} } });
    await admin.create(resources.ingresses, 'default', { ...ingress('classless', ''), spec: { ...ingress('classless', '').spec, ingressClassName: undefined } });
    ctl = await startIngressController({ client: identity, nodeIP: NODE_IP, httpPort: 0, host: '127.0.0.1', logger: quietLogger });
    assert.equal((await admin.get<IngressClass>(resources.ingressclasses, undefined, 'bosun')).metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], undefined);
    assert.equal((await get('classless.test')).status, 404);
    assert.equal((await get('mine.test')).status, 200);
  });
});
