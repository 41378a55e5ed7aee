/**
 * Per-kind hooks of the generic storage (Kubernetes' RESTCreateStrategy, RESTUpdateStrategy,
 * RESTGracefulDeleteStrategy and friends, reduced to what Bosun's kinds need). Every member is
 * optional; the generic pipeline runs them at fixed points:
 *
 *   create: strip status (unless keepStatusOnCreate) -> prepareForCreate -> applyDefaults
 *           -> namespace admission -> admit -> validate (def + strategy) -> validateAdmission
 *           -> validating webhooks -> lastAdmission -> allocate -> write
 *   update: carry stored status (main) or stored spec (status) -> prepareForUpdate
 *           -> applyDefaults -> validate -> validateAdmission (main resource) -> write, or delete
 *           if shouldDeleteOnUpdate
 *   delete: deferDeletion? -> gracePeriod -> finalizers -> mark or delete
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import type { FieldError } from '../../../api/status.js';
import type { Store } from '../../../store/types.js';
import type { DeleteOptions, RequestContext } from '../types.js';

/** What a validating admission hook may read: the store (other objects) and the resource's definition. */
export interface AdmitEnv {
  store: Store;
  def: ResourceDefinition;
}

/**
 * `T` is the kind whose storage the strategy serves (`Strategy<Job>`), so its hooks read objects as
 * that kind without casts: the generic storage hands a strategy only objects of its own resource
 * (a body's apiVersion and kind are checked against the URL first). Hooks that run before
 * validation (prepareForCreate, prepareForUpdate, admit) still treat optional fields as optional.
 * Hooks are methods, so a `Strategy<Job>` registers where a `Strategy` (of KubeObject) is expected.
 */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** Nodes register with their status; most kinds drop status on create as upstream does. */
  keepStatusOnCreate?: boolean;
  /** PUT of a missing object creates it (upstream: services, endpoints, events, leases...). */
  allowCreateOnUpdate?: boolean;
  /** GC policy when DeleteOptions name none: 'Background' (default) or 'Orphan'. */
  defaultPropagationPolicy?: 'Background' | 'Orphan';

  /** Reset or fill server-owned fields of a new object (status.phase, ...). Runs before defaulting. */
  prepareForCreate?(obj: T, ctx: RequestContext): void;
  /** Carry fields the main resource may not change (e.g. namespace spec.finalizers). */
  prepareForUpdate?(obj: T, old: T, ctx: RequestContext): void;
  /** Like prepareForUpdate, for writes through /status. */
  prepareForStatusUpdate?(obj: T, old: T, ctx: RequestContext): void;
  /**
   * The kind's admission plugins on CREATE (mutating, then validating: e.g. the ServiceAccount
   * plugin for pods), after defaulting and the namespace check, before validation; throws a
   * StatusError to refuse. Creates through server-side apply pass here too.
   */
  admit?(obj: T, namespace: string | undefined, ctx: RequestContext): Promise<void>;
  /** Checks beyond the definition's validate. */
  validate?(obj: T, old?: T): FieldError[];
  /**
   * Validating admission (e.g. PodSecurity): may throw a StatusError or add ctx.warnings. Runs on
   * creates and on updates that change the object other than through /status, after validation,
   * dry runs included. `subresource` names the one an update came through (scale,
   * ephemeralcontainers, approval), which upstream's plugins see as the request's.
   */
  validateAdmission?(obj: T, old: T | undefined, ctx: RequestContext, env: AdmitEnv, subresource?: string): Promise<void>;
  /**
   * Admission that must run last, after the validating webhooks and policies (ResourceQuota, as
   * upstream's AllOrderedPlugins puts it after ValidatingAdmissionWebhook, so a refused write
   * never charges quota). Same calls as validateAdmission.
   */
  lastAdmission?(obj: T, old: T | undefined, ctx: RequestContext, env: AdmitEnv): Promise<void>;
  /**
   * Hook for resources that allocate something on create (Service ClusterIP, NodePort): may fill
   * fields of `obj` or throw a StatusError. Runs after validation, before the write, dry runs
   * included (ctx.dryRun tells the allocator not to reserve anything).
   */
  allocate?(obj: T, ctx: RequestContext): Promise<void>;
  /** Counterpart of allocate when the object is finally removed from the store. */
  release?(obj: T): Promise<void>;
  /**
   * Strategies that keep per-store state (the Service IP and port allocators) return the instance
   * bound to `store`; the storage set uses it in place of this one.
   */
  forStore?(store: Store): Strategy<T>;

  /**
   * Graceful deletion (CheckGracefulDelete): the grace period in seconds this delete should use, or
   * undefined for kinds deleted at once. 0 deletes at once too.
   */
  gracePeriod?(obj: T, opts: DeleteOptions): number | undefined;
  /**
   * Deletion is two-phase for this object (namespaces): while true the delete verb only marks the
   * object (deletionTimestamp + markForDeletion) and keeps it.
   */
  deferDeletion?(obj: T): boolean;
  /** Changes made when an object is first marked for deletion by deferDeletion (phase Terminating). */
  markForDeletion?(obj: T): void;
  /** Extra condition for deleting an object whose last finalizer an update removed. */
  canDeleteOnUpdate?(obj: T): boolean;
  /** Refuse a delete (e.g. the default namespace) with a StatusError. */
  checkDelete?(obj: T): void;
}
