import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

/**
 * A gRPC client for unary and server-streaming calls over plaintext HTTP/2 (the gRPC wire
 * protocol, https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md), on node:http2 alone.
 * The agent talks to one local runtime on one unix-socket connection (and to pods, for gRPC probes), with no TLS, load balancing, retries or
 * service config; @grpc/grpc-js carries all of those, and its channel, resolver and interceptor
 * stack cost the idle agent ~40% of its CPU (a relist every second) and ~2.5 MB of RSS.
 * Semantics kept from grpc-js: one connection, opened lazily and reopened by the next call after it
 * died (a containerd restart); calls on a dead connection fail UNAVAILABLE at once (no
 * wait-for-ready); a deadline is sent as grpc-timeout and enforced here as DEADLINE_EXCEEDED.
 */

/** gRPC status codes (the subset this client produces or callers test for). */
export const GrpcStatus = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
} as const;

/** A call's failure: `code` is the gRPC status, `details` the server's message. */
export class GrpcError extends Error {
  constructor(readonly code: number, readonly details: string, readonly method: string) {
    super(`${method}: ${code} ${details}`);
  }
}

export interface GrpcClientOptions {
  /** Opens the transport: a unix socket for the runtime, TCP to a pod for a gRPC probe. */
  connect: () => Socket;
  /** Largest response message accepted, in bytes. */
  maxReceiveBytes: number;
  /** user-agent header (gRPC appends nothing; the kubelet's probes send "kube-probe/1.32"). */
  userAgent?: string;
  /** :authority (default "localhost", what gRPC uses for unix sockets). */
  authority?: string;
}

/** A server-streaming call in progress. */
export interface GrpcStream {
  /** Ends the call (the server sees a cancel); `onEnd` is not called after this. */
  cancel(): void;
}

/** grpc-timeout allows at most 8 digits; milliseconds cover ~27 hours. */
function grpcTimeout(ms: number): string {
  return ms < 1e8 ? `${Math.max(1, Math.ceil(ms))}m` : `${Math.min(99_999_999, Math.ceil(ms / 1000))}S`;
}

/** HTTP status to gRPC status, for a response that is not gRPC at all (the spec's mapping). */
function fromHttpStatus(status: number): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: case 403: case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

function decodeMessage(raw: string | string[] | undefined): string {
  const s = Array.isArray(raw) ? raw.join(',') : raw ?? '';
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One gRPC length-prefixed message (uncompressed). */
export function frame(message: Uint8Array): Buffer {
  const f = Buffer.allocUnsafe(5 + message.length);
  f[0] = 0;
  f.writeUInt32BE(message.length, 1);
  f.set(message, 5);
  return f;
}

interface CallHandlers {
  /** Each complete response message, in order. */
  message(m: Buffer): void;
  /** Once: the call's status (an error unless OK) and nothing after it. */
  end(err: GrpcError | undefined): void;
}

export class GrpcClient {
  private session: ClientHttp2Session | undefined;
  private inFlight = 0;
  private closed = false;

  constructor(private readonly opts: GrpcClientOptions) {}

  /**
   * Calls `path` (`/package.Service/Method`) with one encoded request message; resolves with the
   * one response message. `timeoutMs` 0 means no deadline.
   */
  call(path: string, request: Uint8Array, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let reply: Buffer | undefined;
      let count = 0;
      this.open(path, request, timeoutMs, {
        message: (m) => {
          reply = m;
          count++;
        },
        end: (err) => {
          if (err) reject(err);
          else if (count !== 1) reject(new GrpcError(GrpcStatus.INTERNAL, `unary call answered ${count} messages`, path));
          else resolve(reply!);
        },
      });
    });
  }

  /** Starts a server-streaming call; `onEnd` gets the status when the server (or connection) ends it. */
  serverStream(path: string, request: Uint8Array, onMessage: (m: Buffer) => void, onEnd: (err: GrpcError | undefined) => void): GrpcStream {
    let cancelled = false;
    const cancel = this.open(path, request, 0, { message: (m) => !cancelled && onMessage(m), end: (err) => !cancelled && onEnd(err) });
    return {
      cancel: () => {
        cancelled = true;
        cancel();
      },
    };
  }

  /** Closes the connection; calls in flight fail UNAVAILABLE and later calls are refused. */
  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  /** Runs one call; returns a cancel function. `h.end` is called exactly once. */
  private open(path: string, request: Uint8Array, timeoutMs: number, h: CallHandlers): () => void {
    let stream: ClientHttp2Stream | undefined;
    let session: ClientHttp2Session | undefined;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: GrpcError | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // An idle connection must not keep the process alive (grpc-js unrefs idle channels too).
      if (--this.inFlight === 0) this.session?.unref();
      h.end(err);
    };
    const fail = (code: number, details: string) => finish(new GrpcError(code, details, path));
    const abort = () => {
      if (stream && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    };
    this.inFlight++;
    if (this.closed) {
      fail(GrpcStatus.UNAVAILABLE, 'client closed');
      return () => undefined;
    }
    try {
      session = this.connection();
      session.ref();
      const headers: Record<string, string> = {
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        'content-type': 'application/grpc',
        te: 'trailers',
      };
      if (timeoutMs > 0) headers['grpc-timeout'] = grpcTimeout(timeoutMs);
      if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
      stream = session.request(headers, { endStream: false });
    } catch (err) {
      fail(GrpcStatus.UNAVAILABLE, String((err as Error).message ?? err));
      return () => undefined;
    }
    const s = stream;
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        fail(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded');
        abort();
      }, timeoutMs);
    }

    let pending: Buffer = Buffer.alloc(0);
    let httpStatus = 0;
    let status: number | undefined;
    let message = '';
    const takeStatus = (hs: Record<string, string | string[] | undefined>) => {
      if (hs['grpc-status'] === undefined) return;
      status = Number(hs['grpc-status']);
      message = decodeMessage(hs['grpc-message']);
    };
    s.on('response', (hs) => {
      httpStatus = Number(hs[constants.HTTP2_HEADER_STATUS]);
      takeStatus(hs); // a trailers-only response carries the status in its headers
    });
    s.on('trailers', takeStatus);
    s.on('data', (d: Buffer) => {
      if (done) return;
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      while (pending.length >= 5) {
        if (pending[0] !== 0) {
          fail(GrpcStatus.INTERNAL, 'compressed response, but none was asked for');
          return abort();
        }
        const len = pending.readUInt32BE(1);
        if (len > this.opts.maxReceiveBytes) {
          fail(GrpcStatus.RESOURCE_EXHAUSTED, `response message of ${len} bytes exceeds the ${this.opts.maxReceiveBytes}-byte limit`);
          return abort();
        }
        if (pending.length < 5 + len) break;
        h.message(pending.subarray(5, 5 + len));
        pending = pending.subarray(5 + len);
      }
    });
    s.on('error', (err) => fail(GrpcStatus.UNAVAILABLE, err.message));
    s.on('close', () => {
      if (done) return;
      if (status === undefined) {
        if (httpStatus && httpStatus !== 200) return fail(fromHttpStatus(httpStatus), `HTTP status ${httpStatus}`);
        // As grpc-js: a refused or dropped stream is retryable (UNAVAILABLE), a cancel is CANCELLED.
        const code = s.rstCode;
        if (code === constants.NGHTTP2_CANCEL && session && !session.closed && !session.destroyed) return fail(GrpcStatus.CANCELLED, 'stream cancelled by the server');
        return fail(GrpcStatus.UNAVAILABLE, code ? `stream reset (HTTP/2 error ${code})` : 'connection closed before the call ended');
      }
      if (status !== GrpcStatus.OK) return fail(status, message);
      if (pending.length > 0) return fail(GrpcStatus.INTERNAL, `response ends inside a message (${pending.length} bytes left)`);
      finish(undefined);
    });
    s.end(frame(request));
    return () => {
      abort();
      finish(new GrpcError(GrpcStatus.CANCELLED, 'cancelled by the client', path));
    };
  }

  /** The live connection, opened on first use and after the previous one died. */
  private connection(): ClientHttp2Session {
    const cur = this.session;
    if (cur && !cur.closed && !cur.destroyed) return cur;
    const session = connect(`http://${this.opts.authority ?? 'localhost'}`, { createConnection: () => this.opts.connect() });
    const drop = () => {
      if (this.session === session) this.session = undefined;
    };
    // An error (ENOENT, ECONNREFUSED while containerd restarts) also fails the streams on it.
    session.on('error', drop);
    session.on('close', drop);
    session.on('goaway', drop);
    this.session = session;
    return session;
  }
}
