/**
 * A webhook server for tests and the benchmark: HTTPS on loopback with a certificate from its own
 * CA (valid for 127.0.0.1 and the given Service DNS names), answering AdmissionReview v1 by path
 * with the handler's response; it records every request it received. startReviewServer serves
 * other reviews the same way (CRD conversion webhooks' ConversionReview).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueCertificate } from '../../../pki/certs.js';
import type { AdmissionRequest } from '../admission-review.js';
import type { AdmissionResponse } from '../webhook-client.js';

/** A response, or 'hang' to never answer (timeouts). */
export type Handler = (req: AdmissionRequest) => Omit<AdmissionResponse, 'uid'> | 'hang';

export interface TestWebhookServer {
  port: number;
  /** base64 of the CA's PEM, for clientConfig.caBundle. */
  caBundle: string;
  /** Requests received, by path. */
  received: Map<string, AdmissionRequest[]>;
  close(): Promise<void>;
}

/**
 * The server under any review type: `answer(path, review)` gives the whole JSON to send back (or
 * 'hang', or undefined for a 404); every review's request is recorded by path.
 */
export async function startReviewServer<Req extends { uid: string }>(
  answer: (path: string, review: { request: Req }) => unknown, dnsNames: string[] = [],
): Promise<Omit<TestWebhookServer, 'received'> & { received: Map<string, Req[]> }> {
  const ca = issueCertificate({ commonName: 'webhook-test-ca', usage: 'ca', validDays: 1 });
  const serving = issueCertificate({ commonName: 'webhook', usage: 'server', validDays: 1, dnsNames, ips: ['127.0.0.1'] }, ca);
  const received = new Map<string, Req[]>();
  const server: Server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: Req };
      const list = received.get(path) ?? [];
      list.push(review.request);
      received.set(path, list);
      const out = answer(path, review);
      if (out === 'hang') return;
      if (out === undefined) {
        res.writeHead(404).end('no handler');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    received,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function startWebhookServer(handlers: Record<string, Handler>, dnsNames: string[] = []): Promise<TestWebhookServer> {
  return startReviewServer<AdmissionRequest>((path, review) => {
    const h = handlers[path];
    if (!h) return undefined;
    const out = h(review.request);
    if (out === 'hang') return 'hang';
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...out } };
  }, dnsNames);
}

/** A JSONPatch response adding one label (the labels map is created when absent). */
export function addLabelPatch(obj: { metadata?: { labels?: Record<string, string> } } | null, key: string, value: string): Omit<AdmissionResponse, 'uid'> {
  const ops = obj?.metadata?.labels
    ? [{ op: 'add', path: `/metadata/labels/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value }]
    : [{ op: 'add', path: '/metadata/labels', value: { [key]: value } }];
  return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}
