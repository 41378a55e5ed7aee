/**
 * Checks of a decoded body against the URL it was sent to, as kube-apiserver's handlers make them:
 * kind and apiVersion must match (missing ones are filled in; a built-in kind's mismatch is the
 * codec's 400, scheme-decode.ts, a custom resource's this file's own), metadata.namespace must equal the
 * path's, and for PUT metadata.name the URL's name (a PUT without one is 400, as upstream's).
 */
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf } from '../../api/meta.js';
import { errors } from '../../api/status.js';
import { requireObject } from './body.js';
import { bodyGvk, cannotHandle, groupVersion, internalPackage } from './scheme-decode.js';
import { byKind } from '../../api/registry.js';

export interface ExpectedIdentity {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  namespace?: string;
  /** PUT: the URL's name. */
  name?: string;
}

/** A built-in kind (or a Scale): decoded by upstream's typed codec; custom resources are unstructured. */
function isBuiltIn(want: ExpectedIdentity): boolean {
  return byKind(want.group, want.version, want.kind) !== undefined || (want.group === 'autoscaling' && want.kind === 'Scale');
}

/** Validates and normalises a body in place; returns it typed. */
export function checkObject(body: unknown, want: ExpectedIdentity): KubeObject {
  const obj = requireObject(body) as KubeObject;
  const apiVersion = apiVersionOf(want.group, want.version);
  if (isBuiltIn(want) && typeof (obj.kind ?? '') === 'string' && typeof (obj.apiVersion ?? '') === 'string') {
    // The codec's decode into the internal type, then the handler's AcceptsGroupVersion (scheme-decode.ts).
    const got = bodyGvk(obj, want);
    if (got.kind !== want.kind || internalPackage(got.group) !== internalPackage(want.group)) throw cannotHandle(got, want);
    const gv = groupVersion(got.group, got.version);
    if (gv !== apiVersion) throw errors.badRequest(`the API version in the data (${gv}) does not match the expected API version (${apiVersion})`);
  } else if (obj.kind !== undefined && obj.kind !== want.kind) {
    throw errors.badRequest(`the body of the request has kind ${JSON.stringify(obj.kind)} (apiVersion ${JSON.stringify(obj.apiVersion ?? '')}) but this URL serves ${want.kind} (${apiVersion})`);
  } else if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  obj.kind = want.kind;
  obj.apiVersion = apiVersion;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw errors.badRequest('metadata must be an object');
  const md = obj.metadata;
  if (want.namespaced) {
    if (md.namespace && want.namespace && md.namespace !== want.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (want.namespace) md.namespace = want.namespace;
  } else if (md.namespace !== undefined) {
    delete md.namespace;
  }
  if (want.name !== undefined) {
    // The update handler's checkName: a PUT body names its object (ContextBasedNaming.ObjectName).
    if (md.name === undefined || md.name === null || md.name === '') {
      throw errors.badRequest(`the name of the object (${want.name} based on URL) was undeterminable: name must be provided`);
    }
    if (md.name !== want.name) {
      throw errors.badRequest(`the name of the object (${md.name}) does not match the name on the URL (${want.name})`);
    }
    md.name = want.name;
  }
  return obj;
}
