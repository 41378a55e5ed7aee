/**
 * One availability check of a remote APIService, as available_controller.go's sync: resolve the
 * Service to an endpoint, then GET /apis/<group>/<version> on it (5 s limit) as
 * system:kube-aggregator in system:masters; any 2xx answer passes. The answer, an APIResourceList, is
 * kept for discovery (remote-discovery.ts), which upstream's discovery aggregation fetches the same way.
 */
import type { APIService, APIServiceSpec } from '../../api/kinds/apiregistration/api-service.js';
import type { RequestContext } from '../storage/types.js';
import { remoteGet, type RemoteAgents } from './remote-transport.js';
import { resolveService, UnresolvableService, type ServiceStorages } from './service-resolver.js';

export interface ApiResource {
  name: string;
  singularName?: string;
  namespaced?: boolean;
  group?: string;
  version?: string;
  kind?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

export interface CheckResult {
  available: boolean;
  reason: string;
  message: string;
  resources?: ApiResource[];
}

const CHECK_TIMEOUT_MS = 5000;

export async function checkAvailability(a: APIService, st: ServiceStorages, agents: RemoteAgents, ctx: RequestContext): Promise<CheckResult> {
  const spec: Partial<APIServiceSpec> = a.spec ?? {};
  if (!spec.service) return { available: true, reason: 'Local', message: 'Local APIServices are always available' };
  let ep;
  try {
    ep = await resolveService(st, ctx, spec.service);
  } catch (err) {
    if (err instanceof UnresolvableService) return { available: false, reason: err.reason, message: err.message };
    throw err;
  }
  const path = `/apis/${spec.group ?? ''}/${spec.version ?? ''}`;
  const shown = `https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${path}`;
  try {
    const { status, body } = await remoteGet(ep, path, agents.agentFor(spec), CHECK_TIMEOUT_MS);
    if (status < 200 || status >= 300) return failed(shown, `bad status from ${shown}: ${status}`);
    const doc = JSON.parse(body) as { resources?: ApiResource[] };
    return { available: true, reason: 'Passed', message: 'all checks passed', resources: doc.resources ?? [] };
  } catch (err) {
    return failed(shown, err instanceof Error ? err.message : String(err));
  }
}

function failed(url: string, detail: string): CheckResult {
  return { available: false, reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${url}: ${detail}` };
}
