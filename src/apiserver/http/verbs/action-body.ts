/**
 * The kind a POSTed action subresource's body must be, as kube-apiserver's create handler decodes it
 * (scheme-decode.ts): into the REST storage's New() (pods/binding: Binding, pods/eviction: Eviction,
 * serviceaccounts/token: TokenRequest), the subresource's kind the default for a missing apiVersion
 * or kind. A body of another kind or group version is 400 "Pod in version "v1" cannot be handled as a
 * Binding: converting (v1.Pod) to (core.Binding): unknown conversion", or "... no kind "Eviction" is
 * registered for version "v1" in scheme ...". Eviction is accepted as policy/v1 and policy/v1beta1
 * (EvictionREST.AcceptsGroupVersion); the others have one version, so any other is not registered.
 */
import type { KubeObject } from '../../../api/meta.js';
import { bodyGvk, cannotHandle, groupVersion, type GroupVersionKind } from '../scheme-decode.js';

interface ActionKind extends GroupVersionKind {
  /** Group versions whose object of `kind` is decoded and converted. */
  accepts: string[];
}

const ACTION_KINDS: Record<string, ActionKind> = {
  'pods/binding': { group: '', version: 'v1', kind: 'Binding', accepts: ['v1'] },
  'pods/eviction': { group: 'policy', version: 'v1', kind: 'Eviction', accepts: ['policy/v1', 'policy/v1beta1'] },
  'serviceaccounts/token': { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', accepts: ['authentication.k8s.io/v1'] },
};

/**
 * Checks `body` (an object) posted to `resource/subresource` decodes as the subresource's kind and
 * fills in a missing apiVersion and kind; throws the create handler's 400 otherwise. Subresources
 * without an entry (namespaces/finalize, CSR approval) are left to their own checks.
 */
export function checkActionBody(body: KubeObject, resource: string, subresource: string): void {
  const want = ACTION_KINDS[`${resource}/${subresource}`];
  if (!want) return;
  const got = bodyGvk(body, want);
  const gv = groupVersion(got.group, got.version);
  if (got.kind !== want.kind || !want.accepts.includes(gv)) throw cannotHandle(got, want);
  body.apiVersion = gv;
  body.kind = got.kind;
}
