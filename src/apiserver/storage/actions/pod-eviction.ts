/**
 * pods/eviction (POST a policy/v1 Eviction): deletes the pod with the Eviction's deleteOptions.
 * PodDisruptionBudget checks (429) are not implemented: every eviction is allowed.
 */
import type { KubeObject } from '../../../api/meta.js';
import { errors, successStatus, type Status } from '../../../api/status.js';
import type { GenericStorage } from '../generic-storage.js';
import type { ActionSubresource, DeleteOptions, RequestContext } from '../types.js';

export class PodEviction implements ActionSubresource {
  readonly resource = 'pods';
  readonly subresource = 'eviction';

  constructor(private readonly pods: GenericStorage) {}

  async create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<Status> {
    if (body?.metadata?.name && body.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
    const opts = (body?.deleteOptions ?? {}) as DeleteOptions;
    await this.pods.delete(ctx, namespace, name, opts);
    return { ...successStatus(), code: 201 };
  }
}
