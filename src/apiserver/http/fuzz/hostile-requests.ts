/**
 * One fuzz request at a time, mixing the categories of hostile-inputs.ts: creates, updates and
 * patches of the worker's own names (valid or corrupted bodies), deletes with garbage options,
 * lists and gets with garbage queries, protobuf garbage, and paths or methods that do not exist.
 */
import type { FuzzRequest, HostileInputs } from './hostile-inputs.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export function nextRequest(h: HostileInputs, namespace: string, names: readonly string[]): FuzzRequest {
  const resource = h.chance(0.75) ? 'configmaps' : 'secrets';
  const name = h.pick(names);
  const coll = `/api/v1/namespaces/${namespace}/${resource}`;
  const item = `${coll}/${name}`;
  const valid = h.object(resource, name);
  const body = (): string => (h.chance(0.35) ? JSON.stringify(valid) : h.json(h.corrupt(valid)));
  switch (h.int(12)) {
    case 0:
    case 1:
      return { method: 'POST', path: coll + h.query(), headers: h.headers('application/json'), body: body(), name, resource, what: 'create' };
    case 2:
      return { method: 'PUT', path: item + h.query(), headers: h.headers('application/json'), body: body(), name, resource, what: 'update' };
    case 3:
    case 4: {
      const type = h.pick(PATCH_TYPES);
      const q = type === 'application/apply-patch+yaml' && h.chance(0.7) ? `?fieldManager=fuzz${h.chance(0.3) ? '&force=true' : ''}` : h.query();
      return { method: 'PATCH', path: item + q, headers: h.headers(type), body: h.patchBody(type, valid), name, resource, what: `patch ${type}` };
    }
    case 5: {
      const opts = h.pick<unknown>([undefined, { propagationPolicy: 'Bogus' }, { preconditions: { uid: 'nope' } }, { gracePeriodSeconds: -1 }, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] }, 'garbage', { preconditions: { resourceVersion: '1' } }]);
      return { method: 'DELETE', path: item + h.query(), headers: h.headers(opts === undefined ? undefined : 'application/json'), body: opts === undefined ? undefined : h.json(opts), name, resource, what: 'delete' };
    }
    case 6:
      return { method: h.pick(['GET', 'GET', 'HEAD']), path: (h.chance(0.5) ? coll : item) + h.query(), headers: h.headers(), what: 'read' };
    case 7:
      return { method: h.pick(['POST', 'PUT']), path: h.chance(0.5) ? coll : item, headers: h.headers('application/vnd.kubernetes.protobuf'), body: h.protobuf(), name, resource, what: 'protobuf' };
    case 8: {
      const path = h.pick([
        `${coll}/%ff`, `${coll}/x${encodeURIComponent(Buffer.from(h.text(8)).toString())}`, `/api/v1/namespaces/../${resource}`, `/apis/bogus.example/v1/things`,
        `/api/v1/namespaces/${namespace}/${resource}/${name}/status`, `/api/v1/namespaces/${namespace}/${resource}/${name}/bogus/deeper`,
        `/api/v1/${'x/'.repeat(2000)}`, `/api/v1/namespaces/${namespace}/pods/${name}/log`, '/api/v2', '/apis/apps/v1/namespaces/%2e%2e/deployments', `/${encodeURIComponent(Buffer.from(h.text(10)).toString())}`,
      ]);
      return { method: h.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), path, headers: h.headers('application/json'), body: h.chance(0.5) ? JSON.stringify(valid) : undefined, what: 'path' };
    }
    case 9:
      return { method: h.pick(['OPTIONS', 'TRACE', 'PROPFIND', 'POST']), path: item, headers: h.headers('application/json'), body: body(), name, resource, what: 'method' };
    case 10:
      return { method: 'POST', path: coll, headers: h.headers(h.pick(['application/yaml', 'application/json'])), body: h.pick([`kind: ConfigMap\napiVersion: v1\nmetadata: {name: ${name}}\n`, 'a: [unclosed', '---\na: 1\n---\nb: 2', h.text(30), '\ufeff{}']), name, resource, what: 'yaml' };
    default:
      return { method: 'POST', path: coll + h.query(), headers: h.headers('application/json'), body: JSON.stringify(valid), name, resource, what: 'create-valid' };
  }
}
