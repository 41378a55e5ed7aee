import { createServer, constants, type Http2Server, type ServerHttp2Stream, type ServerHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { rmSync } from 'node:fs';
import { GrpcError, GrpcStatus, frame } from '../grpc/grpc-client.js';

/**
 * The server side of unary gRPC calls over plaintext HTTP/2 (h2c) on a unix socket, on node:http2
 * alone (the matching half of src/agent/grpc/grpc-client.ts; the wire protocol is
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md). The agent serves one small
 * service (the device plugin Registration) to local clients, so there is no TLS, compression,
 * streaming or flow-control tuning: each request is one length-prefixed message, each answer one
 * message and the grpc-status trailer. Handler errors that are GrpcErrors keep their code; any
 * other error is UNKNOWN, as grpc-go answers a handler's plain error.
 */

export type UnaryHandler = (request: Buffer) => Promise<Uint8Array>;

const MAX_REQUEST = 4 * 1024 * 1024;

function answerStatus(stream: ServerHttp2Stream, code: number, message: string, body?: Uint8Array): void {
  if (stream.destroyed || stream.closed) return;
  const trailers = { 'grpc-status': String(code), ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}) };
  if (body === undefined) {
    // Trailers-only: the status travels in the one HEADERS frame.
    stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
    return;
  }
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end(frame(body));
}

function serve(handlers: ReadonlyMap<string, UnaryHandler>, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const path = String(headers[constants.HTTP2_HEADER_PATH] ?? '');
  const type = String(headers['content-type'] ?? '');
  if (headers[constants.HTTP2_HEADER_METHOD] !== 'POST' || !type.startsWith('application/grpc')) {
    stream.respond({ [constants.HTTP2_HEADER_STATUS]: 415 }, { endStream: true });
    return;
  }
  const handler = handlers.get(path);
  if (!handler) return answerStatus(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (d: Buffer) => {
    size += d.length;
    if (size > MAX_REQUEST + 5) stream.close(constants.NGHTTP2_REFUSED_STREAM);
    else chunks.push(d);
  });
  stream.on('error', () => undefined); // a client that goes away mid-call: nothing to answer
  stream.on('end', () => {
    const all = Buffer.concat(chunks);
    if (all.length < 5 || all[0] !== 0 || all.readUInt32BE(1) !== all.length - 5) {
      return answerStatus(stream, GrpcStatus.INTERNAL, 'request is not one uncompressed gRPC message');
    }
    handler(all.subarray(5)).then(
      (reply) => answerStatus(stream, GrpcStatus.OK, '', reply),
      (err: unknown) => answerStatus(stream, err instanceof GrpcError ? err.code : GrpcStatus.UNKNOWN, err instanceof GrpcError ? err.details : String((err as Error)?.message ?? err)),
    );
  });
}

const open = new WeakMap<Http2Server, Set<ServerHttp2Session>>();
function sessions(server: Http2Server): Set<ServerHttp2Session> {
  let set = open.get(server);
  if (!set) open.set(server, (set = new Set()));
  return set;
}

/** Serves `handlers` (keyed by `/package.Service/Method`) on the unix socket `path`, replacing a stale socket file. */
export async function listenUnary(path: string, handlers: ReadonlyMap<string, UnaryHandler>): Promise<Http2Server> {
  rmSync(path, { force: true });
  const server = createServer();
  server.on('stream', (stream, headers) => serve(handlers, stream, headers));
  server.on('sessionError', () => undefined);
  // close() waits for open sessions; remember them so closeServer can end them.
  server.on('session', (session) => {
    sessions(server).add(session);
    session.on('close', () => sessions(server).delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting, ends open sessions, and removes the socket file. */
export async function closeServer(server: Http2Server, path: string): Promise<void> {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sessions(server)) s.destroy();
  await done;
  rmSync(path, { force: true });
}
