/**
 * Streaming subresources (pods/log, pods/exec, pods/attach, pods/portforward, proxies): handlers that
 * own the response or the upgraded socket themselves. The node agent's issue registers them; the
 * HTTP layer authenticates, parses the path and hands over.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/meta.js';
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
   * PodExecOptions, ...: the query decoded, nothing defaulted yet). Absent: not admitted (pods/log is a GET).
   */
  connectOptions?(r: StreamingRequest): ConnectOptions;
}

/**
 * Admission of a streaming request before its handler runs, as upstream's ConnectResource (admit,
 * then connect): a refusing webhook answers before the pod is looked up or a node is asked.
 */
export async function admitConnect(h: StreamingHandler, r: StreamingRequest): Promise<void> {
  if (!h.connectOptions || !r.storage.admitConnect) return;
  // Options carry no metadata: selectors see no labels on them, as upstream's.
  const options = h.connectOptions(r) as unknown as KubeObject;
  await r.storage.admitConnect(
    { user: r.user.name, groups: r.user.groups, dryRun: false, fieldValidation: 'Ignore', warnings: [], ...(r.user.uid !== undefined ? { uid: r.user.uid } : {}), ...(r.user.extra !== undefined ? { extra: r.user.extra } : {}) },
    { operation: 'CONNECT', kind: options.kind!, subresource: h.subresource, namespace: r.namespace, name: r.name, object: options },
  );
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
