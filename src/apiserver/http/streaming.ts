/**
 * Streaming subresources (pods/log, pods/exec, pods/attach, pods/portforward, proxies): handlers that
 * own the response or the upgraded socket themselves. The node agent's issue registers them; the
 * HTTP layer authenticates, parses the path and hands over.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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

export interface StreamingHandler {
  readonly resource: string;
  readonly subresource: string;
  /** Plain HTTP requests (GET .../log, POST .../exec without upgrade). Errors thrown become a Status. */
  handle?(req: IncomingMessage, res: ServerResponse, r: StreamingRequest): Promise<void>;
  /** Upgrade requests (WebSocket, SPDY). The handler owns the socket from here on. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, r: StreamingRequest): Promise<void>;
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
