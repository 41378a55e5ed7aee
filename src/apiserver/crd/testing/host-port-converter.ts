/**
 * A conversion webhook for tests, as upstream's e2e converter (test/images/agnhost/crd-conversion-
 * webhook, used by test/e2e/apimachinery/crd_conversion_webhook.go): v1 keeps `hostPort`
 * ("host:port"), v2 `host` and `port`, at the object's root as upstream's converter and in `spec`.
 * Served on loopback HTTPS by the admission tests' review server at /convert and /crdconvert; /rename answers the same but renames each object (a webhook that
 * changes metadata it may not change). Every ConversionReview request is recorded by path.
 */
import { startReviewServer } from '../../admission/dynamic/testing/webhook-server.js';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec?: Record<string, unknown> };
export interface ConversionRequest { uid: string; desiredAPIVersion: string; objects: Obj[] }

/** example_converter.go's conversion of the fields of `holder` (the object itself upstream, or its spec). */
function convertFields(holder: Record<string, unknown>, desired: string): Record<string, unknown> {
  const out = { ...holder };
  if (desired.endsWith('/v2') && typeof out.hostPort === 'string') {
    const [host, port] = out.hostPort.split(':');
    delete out.hostPort;
    Object.assign(out, { host, port });
  } else if (desired.endsWith('/v1') && (out.host !== undefined || out.port !== undefined)) {
    out.hostPort = `${String(out.host ?? '')}:${String(out.port ?? '')}`;
    delete out.host;
    delete out.port;
  }
  return out;
}

function convert(obj: Obj, desired: string): Obj {
  const out = convertFields(obj, desired) as Obj;
  if (obj.spec) out.spec = convertFields(obj.spec, desired);
  return { ...out, apiVersion: desired };
}

/** `dnsNames`: the Service names the serving certificate carries (`<svc>.<ns>.svc`). */
export function startHostPortConverter(dnsNames: string[] = []) {
  return startReviewServer<ConversionRequest>((path, { request }) => {
    if (path !== '/convert' && path !== '/crdconvert' && path !== '/rename') return undefined;
    const convertedObjects = request.objects.map((o) => {
      const out = convert(o, request.desiredAPIVersion);
      return path === '/rename' ? { ...out, metadata: { ...out.metadata, name: `${String(o.metadata.name)}-renamed` } } : out;
    });
    return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: request.uid, result: { status: 'Success' }, convertedObjects } };
  }, dnsNames);
}

/** A two-version CRD (v1 storage, v2 served) converted by the webhook at `url` (https://127.0.0.1:port/path). */
export function hostPortCrd(group: string, plural: string, kind: string, url: string, caBundle: string): object {
  const schema = (props: Record<string, unknown>) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props } } } });
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
    spec: {
      group, scope: 'Namespaced', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        { name: 'v1', served: true, storage: true, schema: schema({ hostPort: { type: 'string' } }) },
        { name: 'v2', served: true, storage: false, schema: schema({ host: { type: 'string' }, port: { type: 'string' } }) },
      ],
      conversion: { strategy: 'Webhook', webhook: { clientConfig: { url, caBundle }, conversionReviewVersions: ['v1', 'v1beta1'] } },
    },
  };
}
