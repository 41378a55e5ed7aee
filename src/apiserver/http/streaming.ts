/**
 * Streaming subresources (pods/log, pods/exec, pods/attach, pods/portforward, proxies): handlers that
 * own the response or the upgraded socket themselves. The node agent's issue registers them; the
 * HTTP layer authenticates, parses the path and hands over.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../api/status.js';
import { admissionAuditOf } from '../audit/audit-context.js';
import type { ResourceStorage } from '../storage/types.js';
import type { UserInfo } from './authn.js';

export interface StreamingRequest {
  namespace?: string;
  name: string;
  user: UserInfo;
  query: URLSearchParams;
  /** The parent resource's storage (to read the pod, its node, its containers). */
  storage: ResourceStorage;
  /** Path segments after the subresource (proxy paths). */
  rest: string[];
  /**
   * A CONNECT's options as a mutating admission changed them (upstream's ConnectResource hands the
   * admitted options to Connect, which builds the node or pod URL from them). Absent: unchanged, the
   * handler reads the request as sent.
   */
  options?: ConnectOptions;
}

/** An options kind (TypeMeta and fields, no metadata). */
export type ConnectOptions = { kind: string; apiVersion: string } & Record<string, unknown>;

export interface StreamingHandler {
  readonly resource: string;
  readonly subresource: string;
  /** Plain HTTP requests (GET .../log, POST .../exec without upgrade). Errors thrown become a Status. */
  handle?(req: IncomingMessage, res: ServerResponse, r: StreamingRequest): Promise<void>;
  /** Upgrade requests (WebSocket, SPDY). The handler owns the socket from here on. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, r: StreamingRequest): Promise<void>;
  /**
   * A CONNECT subresource's options as admission sees them (upstream's PodAttachOptions,
   * PodExecOptions, PodProxyOptions...: the query, or the proxy's path, decoded; nothing defaulted yet).
   * Absent: not admitted (pods/log is a GET).
   */
  connectOptions?(r: StreamingRequest, req: IncomingMessage): ConnectOptions;
}

/**
 * Admission of a streaming request before its handler runs, as upstream's ConnectResource (admit,
 * then connect): a refusing webhook or policy answers before the pod is looked up or a node is asked.
 * Returns the request the handler serves: with `options` when a mutating webhook changed them.
 * Webhooks' warnings are added to `warnings` (for the answer's Warning headers), and their audit
 * annotations to the request's audit event, refused or not.
 */
export async function admitConnect(h: StreamingHandler, r: StreamingRequest, req: IncomingMessage, warnings: string[] = []): Promise<StreamingRequest> {
  if (!h.connectOptions) return r;
  if (r.query.has('dryRun')) throw errors.badRequest('dryRun is not supported');
  const options = h.connectOptions(r, req);
  if (!r.storage.admitConnect) return r;
  // Options carry no metadata: selectors see no labels on them, as upstream's.
  const mutated = await r.storage.admitConnect(
    {
      user: r.user.name, groups: r.user.groups, dryRun: false, fieldValidation: 'Ignore', warnings,
      ...(r.user.uid !== undefined ? { uid: r.user.uid } : {}), ...(r.user.extra !== undefined ? { extra: r.user.extra } : {}), ...admissionAuditOf(req),
    },
    { operation: 'CONNECT', kind: options.kind, subresource: h.subresource, namespace: r.namespace, name: r.name, object: options as unknown as KubeObject },
  );
  // The patched JSON is read back as the options' own kind, as upstream decodes it into a new PodExecOptions...
  return mutated ? { ...r, options: { ...mutated, kind: options.kind, apiVersion: options.apiVersion } } : r;
}

/**
 * Options encoded as query parameters, as upstream's ParameterCodec does for the kubelet URL (every
 * field by its JSON name, a list repeated, TypeMeta left out). A field that is not a scalar or a list
 * of scalars cannot be an options field: upstream fails to decode such a patched object (500).
 */
export function optionsQuery(o: ConnectOptions): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) {
    if (k === 'kind' || k === 'apiVersion' || v === null || v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw errors.internal(`${o.kind}: field ${k} cannot be decoded`);
      q.append(k, String(x));
    }
  }
  return q;
}

export class StreamingRegistry {
  private readonly handlers = new Map<string, StreamingHandler>();

  register(h: StreamingHandler): void {
    this.handlers.set(`${h.resource}/${h.subresource}`, h);
  }

  get(resource: string, sub: string): StreamingHandler | undefined {
    return this.handlers.get(`${resource}/${sub}`);
  }

  all(): StreamingHandler[] {
    return [...this.handlers.values()];
  }
}
