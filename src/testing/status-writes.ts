/**
 * How the API server answered PUTs of a resource's status subresource, from its /metrics
 * (apiserver_request_total, all namespaces): a controller deciding from a cache that lags its own
 * writes shows as 409s. Counts are totals since the server started; pass an earlier reading as
 * `since` for the writes in between.
 */
import type { KubeClient } from '../client/kube-client.js';

export interface StatusWrites { ok: number; conflicts: number }

export async function statusWrites(client: KubeClient, resource: string, since: StatusWrites = { ok: 0, conflicts: 0 }): Promise<StatusWrites> {
  const text = String((await client.transport.request({ method: 'GET', path: '/metrics' })).body);
  const count = (code: string) => text.split('\n')
    .filter((l) => l.startsWith('apiserver_request_total{') && l.includes('verb="PUT"') && l.includes(`resource="${resource}"`) && l.includes('subresource="status"') && l.includes(`code="${code}"`))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { ok: count('200') - since.ok, conflicts: count('409') - since.conflicts };
}
