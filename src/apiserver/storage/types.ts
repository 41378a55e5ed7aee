/**
 * The seam between the API server's HTTP layer (src/apiserver/http) and its generic REST storage
 * (src/apiserver/storage): everything Kubernetes' genericregistry.Store does for one resource,
 * free of HTTP. The HTTP layer parses the request, picks the ResourceStorage, calls one method and
 * renders the result (or the thrown StatusError). Storage never sees sockets or headers.
 */
import type { KubeList, KubeObject, WatchEvent } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { Status } from '../../api/status.js';
import type { DeleteOptions, FieldValidation, ListQuery, PatchType, WatchQuery } from '../../api/request-options.js';
import type { AuditLevel } from '../audit/policy.js';

export type { DeleteOptions, FieldValidation, ListQuery, PatchType, WatchQuery } from '../../api/request-options.js';

export interface RequestContext {
  /** Authenticated user name (e.g. `system:admin`, `system:node:n1`). */
  user: string;
  groups: string[];
  /** The user's uid and extra (a service account token's), when the authenticator gave them. */
  uid?: string;
  extra?: Record<string, string[]>;
  /** dryRun=All: run every step, persist nothing. */
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** fieldManager query parameter (defaults to the user agent's program name, as kube-apiserver does). */
  fieldManager?: string;
  /** Warnings to return as `Warning: 299 - "..."` headers (unknown fields under Warn, deprecations). */
  warnings: string[];
  /**
   * The audit annotations of the request's audit event (upstream's admission.Attributes annotations,
   * which its audit handler copies to the event): absent when the request is not audited. Admission
   * adds to it with admission/audit-annotations.ts; shared by the context's copies.
   */
  auditAnnotations?: Map<string, string>;
  /** The level of the request's audit event (with auditAnnotations): what an annotation needs to be logged. */
  auditLevel?: AuditLevel;
  /** Keys the JSON body of a create or PUT repeats (paths), for field validation as unknown fields are. */
  duplicateFields?: string[];
  /** Aborted when the client goes away or the request times out. */
  signal?: AbortSignal;
  /**
   * Admission of an update (upstream's validating admission on UPDATE): called with the object about
   * to be written and the stored one, after defaulting and before validation; throws a StatusError
   * to refuse. Set by wrappers such as the NodeRestriction admission (authz/node-restriction.ts).
   */
  admitUpdate?: (obj: KubeObject, old: KubeObject, subresource?: string) => void;
  /**
   * Dynamic admission of this request's resource (webhooks, ValidatingAdmissionPolicies), set by the
   * wrapper in src/apiserver/admission/dynamic: `mutate` after the built-in mutating admission,
   * `validate` after validation, as upstream's MutatingAdmissionWebhook, ValidatingAdmissionPolicy
   * and ValidatingAdmissionWebhook plugins run.
   */
  dynamicAdmission?: DynamicAdmission;
}

/** One admission request as webhooks and policies see it (upstream's admission.Attributes). */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subresource?: string;
  /** The request's kind when neither the resource's nor its subresource's (discovery's subresourceKind: Scale...): a CONNECT's options. */
  kind?: string;
  namespace?: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  /** CreateOptions / UpdateOptions / DeleteOptions as sent to webhooks. */
  options?: KubeObject;
}

/**
 * The subresource a write is admitted as (upstream's handlers admit scope.Subresource): named to
 * webhooks, policies and the built-in validateAdmission (PodSecurity skips subresources). A view
 * such as the scale subresource's is what admission sees instead of the object, as upstream's
 * ScaleREST hands its Scale to the mutating admission (scaleUpdatedObjectInfo) and to the
 * validating one (toScaleUpdateValidation).
 */
export interface SubresourceAdmission {
  subresource: string;
  /** The view of the object (and of the stored one) admission sees; absent: the object itself. */
  toView?(obj: KubeObject): KubeObject;
  /** The object to write once mutating admission changed the view (422 for an invalid view). */
  fromView?(obj: KubeObject, view: KubeObject): KubeObject;
}

export interface DynamicAdmission {
  /** Mutating webhooks; returns the object they changed (a new copy), or undefined when none did. */
  mutate(a: AdmissionAttributes): Promise<KubeObject | undefined>;
  /** ValidatingAdmissionPolicies, then validating webhooks; throws a StatusError to refuse. */
  validate(a: AdmissionAttributes): Promise<void>;
}

export interface PatchRequest {
  type: PatchType;
  /** Parsed body: an array of operations for json, an object for the others. */
  body: unknown;
  /** apply only: take ownership of conflicting fields. */
  force?: boolean;
}

/**
 * An event of a storage watch: an object of the resource (a BOOKMARK's carries only metadata), or
 * the final ERROR carrying a Status. Checking `type` narrows `object`.
 */
export type StorageWatchEvent =
  | { type: Exclude<WatchEvent['type'], 'ERROR'>; object: KubeObject }
  | { type: 'ERROR'; object: Status };

export interface WatchSink {
  /**
   * Called in order for every event, including BOOKMARK and a final ERROR (e.g. 410 Expired).
   * The event's object may be shared with other watchers of the same event: do not mutate it.
   */
  onEvent(ev: StorageWatchEvent): void;
  /** Called once when the watch ends (timeout, stop(), or after an ERROR event). */
  onClose(): void;
}

export interface WatchStream {
  stop(): void;
}

/** The subresources a storage may implement; the HTTP layer routes `/<plural>/<name>/<sub>` here. */
export type StorageSubresource = 'status' | 'scale' | 'ephemeralcontainers';

export interface ResourceStorage {
  readonly def: ResourceDefinition;
  /**
   * true: no Table convertor (upstream: the REST storage implements no rest.TableConvertor, as the
   * create-only reviews), so a request accepting only a Table is 406 (RequestScope.AllowsMediaTypeTransform).
   */
  readonly noTable?: boolean;
  /**
   * Admission of a CONNECT (pods/exec, pods/attach, pods/portforward, proxies) with its options as the
   * object, as upstream's ConnectResource: mutating, then validating admission, before connecting.
   * Set by dynamic admission's wrapper; absent, a CONNECT is admitted. Resolves to the options as
   * mutating webhooks patched them, or undefined when none did.
   */
  admitConnect?(ctx: RequestContext, a: AdmissionAttributes): Promise<KubeObject | undefined>;
  create(ctx: RequestContext, namespace: string | undefined, obj: KubeObject): Promise<KubeObject>;
  get(ctx: RequestContext, namespace: string | undefined, name: string, sub?: StorageSubresource): Promise<KubeObject>;
  list(ctx: RequestContext, namespace: string | undefined, q: ListQuery): Promise<KubeList>;
  /**
   * The same list, each selected object handed to `each` as soon as it is read instead of being
   * kept (the returned list's items are empty): lets the HTTP layer encode 10,000 pods without
   * holding them all decoded at once. Objects must not be kept or mutated by `each`.
   */
  listEach?(ctx: RequestContext, namespace: string | undefined, q: ListQuery, each: (obj: KubeObject) => void): Promise<KubeList>;
  watch(ctx: RequestContext, namespace: string | undefined, q: WatchQuery, sink: WatchSink): Promise<WatchStream>;
  /** PUT. Creates when the object is absent and the kind allows create-on-update (as Kubernetes does for few kinds). */
  update(ctx: RequestContext, namespace: string | undefined, name: string, obj: KubeObject, sub?: StorageSubresource): Promise<KubeObject>;
  /** PATCH; `apply` creates the object if it is missing (`created` tells which). */
  patch(ctx: RequestContext, namespace: string | undefined, name: string, patch: PatchRequest, sub?: StorageSubresource): Promise<{ object: KubeObject; created: boolean }>;
  /** Returns the object as it now is (marked for deletion when finalizers remain) or the deleted object. */
  delete(ctx: RequestContext, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }>;
  deleteCollection(ctx: RequestContext, namespace: string | undefined, q: ListQuery, opts: DeleteOptions): Promise<KubeList>;
}

/**
 * POST-only subresources that are actions rather than views of the object (pods/binding,
 * pods/eviction): the body is its own kind (Binding, Eviction) and the result a Status or object.
 */
export interface ActionSubresource {
  readonly resource: string;      // 'pods'
  readonly subresource: string;   // 'binding'
  /**
   * The resource whose dynamic admission (webhooks, policies) this subresource's writes go through,
   * as an UPDATE of `<resource>/<subresource>` (namespaces/finalize, certificatesigningrequests/
   * approval) or a CREATE of the posted object (pods/binding's Binding, pods/eviction's Eviction:
   * actions/action-admission.ts). Absent: not dynamically admitted.
   */
  readonly admittedAs?: ResourceDefinition;
  create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject | Status>;
  /** PUT, for action subresources that are replaced rather than posted (namespaces/finalize). */
  update?(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject>;
  /** GET, for subresources that read as their object (certificatesigningrequests/approval). */
  read?(ctx: RequestContext, namespace: string | undefined, name: string): Promise<KubeObject>;
  /** PATCH (json, merge or strategic), for the same: the patch applied to the object, then written as a PUT would. */
  patchWith?(ctx: RequestContext, namespace: string | undefined, name: string, patch: PatchRequest): Promise<KubeObject>;
}
