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

export interface Strategy {
  /** Nodes register with their status; most kinds drop status on create as upstream does. */
  keepStatusOnCreate?: boolean;
  /** PUT of a missing object creates it (upstream: services, endpoints, events, leases...). */
  allowCreateOnUpdate?: boolean;
  /** GC policy when DeleteOptions name none: 'Background' (default) or 'Orphan'. */
  defaultPropagationPolicy?: 'Background' | 'Orphan';

  /** Reset or fill server-owned fields of a new object (status.phase, ...). Runs before defaulting. */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Carry fields the main resource may not change (e.g. namespace spec.finalizers). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Like prepareForUpdate, for writes through /status. */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /**
   * The kind's admission plugins on CREATE (mutating, then validating: e.g. the ServiceAccount
   * plugin for pods), after defaulting and the namespace check, before validation; throws a
   * StatusError to refuse. Creates through server-side apply pass here too.
   */
  admit?(obj: KubeObject, namespace: string | undefined, ctx: RequestContext): Promise<void>;
  /** Checks beyond the definition's validate. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  /**
   * Validating admission (e.g. PodSecurity): may throw a StatusError or add ctx.warnings. Runs on
   * creates and main-resource updates that change the object, after validation, dry runs included.
   */
  validateAdmission?(obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext, env: AdmitEnv): Promise<void>;
  /**
   * Admission that must run last, after the validating webhooks and policies (ResourceQuota, as
   * upstream's AllOrderedPlugins puts it after ValidatingAdmissionWebhook, so a refused write
   * never charges quota). Same calls as validateAdmission.
   */
  lastAdmission?(obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext, env: AdmitEnv): Promise<void>;
  /**
   * Hook for resources that allocate something on create (Service ClusterIP, NodePort): may fill
   * fields of `obj` or throw a StatusError. Runs after validation, before the write, dry runs
   * included (ctx.dryRun tells the allocator not to reserve anything).
   */
  allocate?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** Counterpart of allocate when the object is finally removed from the store. */
  release?(obj: KubeObject): Promise<void>;
  /**
   * Strategies that keep per-store state (the Service IP and port allocators) return the instance
   * bound to `store`; the storage set uses it in place of this one.
   */
  forStore?(store: Store): Strategy;

  /**
   * Graceful deletion (CheckGracefulDelete): the grace period in seconds this delete should use, or
   * undefined for kinds deleted at once. 0 deletes at once too.
   */
  gracePeriod?(obj: KubeObject, opts: DeleteOptions): number | undefined;
  /**
   * Deletion is two-phase for this object (namespaces): while true the delete verb only marks the
   * object (deletionTimestamp + markForDeletion) and keeps it.
   */
  deferDeletion?(obj: KubeObject): boolean;
  /** Changes made when an object is first marked for deletion by deferDeletion (phase Terminating). */
  markForDeletion?(obj: KubeObject): void;
  /** Extra condition for deleting an object whose last finalizer an update removed. */
  canDeleteOnUpdate?(obj: KubeObject): boolean;
  /** Refuse a delete (e.g. the default namespace) with a StatusError. */
  checkDelete?(obj: KubeObject): void;
}
