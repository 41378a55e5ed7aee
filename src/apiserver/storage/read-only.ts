/**
 * The verbs a read-only, computed storage (metrics.k8s.io, v1 componentstatuses) refuses: every one
 * but get and list answers 405 MethodNotAllowed, as upstream's REST without the verb's interface.
 */
import { errors } from '../../api/status.js';
import type { ResourceStorage } from './types.js';

const notAllowed = (): never => {
  throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
};

export const refusedWrites: Omit<ResourceStorage, 'def' | 'get' | 'list'> = {
  create: async () => notAllowed(),
  watch: async () => notAllowed(),
  update: async () => notAllowed(),
  patch: async () => notAllowed(),
  delete: async () => notAllowed(),
  deleteCollection: async () => notAllowed(),
};
