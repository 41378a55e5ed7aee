/**
 * Fixtures of the APF limiter's tests: upstream's bootstrap configuration with uids, request
 * digests, and responses whose seat is held until the test emits 'finish'.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { MANDATORY_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS, SUGGESTED_FLOW_SCHEMAS, SUGGESTED_PRIORITY_LEVELS } from '../../../api/kinds/flowcontrol/bootstrap-configuration.js';
import type { FlowSchema } from '../../../api/kinds/flowcontrol/flow-schema.js';
import type { PriorityLevelConfiguration } from '../../../api/kinds/flowcontrol/priority-level-configuration.js';
import type { RequestDigest } from '../classify.js';
import type { RawClient } from '../../../testing/raw-client.js';

const withUid = <T extends { metadata: { name?: string; uid?: string } }>(o: T, kind: string): T => ({ ...structuredClone(o), metadata: { ...o.metadata, uid: `${kind}-${o.metadata.name}` } });
export const schemas: FlowSchema[] = [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS].map((f) => withUid(f, 'fs'));
export const levels: PriorityLevelConfiguration[] = [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS].map((p) => withUid(p, 'pl'));

/** The bootstrap levels with `name`'s spec replaced. */
export function withLevel(name: string, spec: PriorityLevelConfiguration['spec']): PriorityLevelConfiguration[] {
  return levels.map((p) => p.metadata.name === name ? { ...p, spec } : p);
}

/** A Limited level of its own (uid `pl-<name>`). */
export function limitedLevel(name: string, limited: NonNullable<PriorityLevelConfiguration['spec']>['limited']): PriorityLevelConfiguration {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name, uid: `pl-${name}` }, spec: { type: 'Limited', limited } };
}

/** A FlowSchema sending every request of `users` to `level` (uid `fs-<name>`). */
export function userSchema(name: string, level: string, users: string[], distinguisher?: 'ByUser' | 'ByNamespace'): FlowSchema {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name, uid: `fs-${name}` },
    spec: {
      priorityLevelConfiguration: { name: level }, matchingPrecedence: 50, ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [{ subjects: users.map((u) => ({ kind: 'User', user: { name: u } })), resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }],
    },
  };
}

export const digest = (user: string, groups: string[], verb: string, apiGroup: string, resource: string, namespace: string): RequestDigest =>
  ({ user, groups: [...groups, ...(user === 'system:anonymous' ? [] : ['system:authenticated'])], verb, isResource: true, apiGroup, resource, namespace, path: '' });

/** An ordinary user's get of a pod in `namespace`. */
export const userGet = (user: string, namespace = 'default'): RequestDigest => digest(user, [], 'get', '', 'pods', namespace);

export type HeldResponse = ServerResponse & { headers: Record<string, string> };

/** A response whose seat is held until it emits 'finish'. */
export function held(): HeldResponse {
  const headers: Record<string, string> = {};
  return Object.assign(new EventEmitter(), { headers, headersSent: false, setHeader: (k: string, v: string) => { headers[k] = v; } }) as unknown as HeldResponse;
}

export const is429 = (e: { code?: number }): boolean => e.code === 429;

/** A clock the test moves (ms). */
export function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

/** One sample of a server's /metrics read as `admin` (system:masters: exempt, never queued); undefined when the series is absent. */
export async function metricSample(admin: RawClient, series: string): Promise<number | undefined> {
  const text = (await admin.request('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
