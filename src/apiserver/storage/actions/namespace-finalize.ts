/**
 * namespaces/finalize (PUT a Namespace): replaces spec.finalizers, nothing else. When the list
 * becomes empty on a terminating namespace, the namespace leaves the store.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { errors } from '../../../api/status.js';
import type { GenericStorage } from '../generic-storage.js';
import { finalizeNamespace } from '../strategies/namespace.js';
import type { ActionSubresource, RequestContext } from '../types.js';
import { putPreconditions } from '../preconditions.js';
import { updateObject } from '../update.js';
import { cloneJson } from '../../../api/json-clone.js';

export class NamespaceFinalize implements ActionSubresource {
  readonly resource = 'namespaces';
  readonly subresource = 'finalize';
  readonly admittedAs: ResourceDefinition;

  constructor(private readonly namespaces: GenericStorage) {
    this.admittedAs = namespaces.def;
  }

  /** Finalize is a PUT upstream; an HTTP layer that routes every action verb to create gets the same. */
  create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
    return this.update(ctx, namespace, name, body);
  }

  async update(ctx: RequestContext, _namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
    if (body === null || typeof body !== 'object') throw errors.badRequest('the body of the request must be a Namespace');
    if (body?.metadata?.name && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    const { object } = await updateObject(this.namespaces.core, ctx, undefined, name, (cur) => (cur ? finalizeNamespace(cur, body) : undefined), {
      checkFields: false,
      preconditions: putPreconditions(body),
      admission: { subresource: 'finalize' },
      prepare: (obj, old) => { obj.status = cloneJson(old.status); },
    });
    return object;
  }
}
