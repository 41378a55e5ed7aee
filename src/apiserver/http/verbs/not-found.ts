import { failure } from '../../../api/status.js';

/** The 404 kube-apiserver gives for paths it does not serve. */
export function notFoundPath(): Error {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}
