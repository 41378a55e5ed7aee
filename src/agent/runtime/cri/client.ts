import { existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { RuntimeError, type RuntimeErrorKind } from '../types.js';
import { GrpcClient, GrpcError, GrpcStatus, type GrpcStream } from '../../grpc/grpc-client.js';

/**
 * A raw CRI runtime.v1 client: both services (RuntimeService, ImageService) over one HTTP/2
 * connection on a unix socket, as the kubelet keeps one. Messages are plain objects with camelCase
 * fields; int64 values are decimal strings (nanosecond timestamps overflow JS numbers), enums are
 * their names, absent fields are defaults (absent messages are null): the shapes @grpc/proto-loader
 * gives, made by the same protobufjs conversions. Errors become RuntimeError with the operation's name.
 */

/** gRPC max message size: ExecSync output is capped at 16 MiB per stream by CRI runtimes. */
const MAX_MESSAGE = 64 * 1024 * 1024;

/** How replies become plain objects (proto-loader's `{longs: String, enums: String, defaults, oneofs}`). */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };

/** The proto ships next to this file in src/; a build to dist/ without it falls back to src/. */
function protoPath(): string {
  const here = fileURLToPath(new URL('./api.proto', import.meta.url));
  if (existsSync(here)) return here;
  const fromSrc = here.replace(/\/dist\/agent\//, '/src/agent/');
  if (existsSync(fromSrc)) return fromSrc;
  throw new Error(`CRI api.proto not found at ${here} or ${fromSrc}`);
}

let loaded: protobuf.Root | undefined;
function criRoot(): protobuf.Root {
  if (!loaded) {
    const root = protobuf.loadSync(protoPath());
    root.resolveAll();
    loaded = root;
  }
  return loaded;
}

const EVENTS_SUBSCRIBE = '/containerd.services.events.v1.Events/Subscribe';

/** The fields of containerd's event Envelope the agent reads (the payload, an Any, is skipped). */
export interface RuntimeEventEnvelope {
  namespace: string;
  topic: string;
}

let events: { request: protobuf.Type; envelope: protobuf.Type } | undefined;
/** containerd's SubscribeRequest and Envelope (api/services/events/v1/events.proto), the fields used. */
function eventTypes(): { request: protobuf.Type; envelope: protobuf.Type } {
  if (!events) {
    const request = new protobuf.Type('SubscribeRequest').add(new protobuf.Field('filters', 1, 'string', 'repeated'));
    const envelope = new protobuf.Type('Envelope').add(new protobuf.Field('namespace', 2, 'string')).add(new protobuf.Field('topic', 3, 'string'));
    new protobuf.Root().define('containerd.services.events.v1').add(request).add(envelope);
    events = { request, envelope };
  }
  return events;
}

interface Method {
  path: string;
  request: protobuf.Type;
  response: protobuf.Type;
}

function kindOf(code: number | undefined): RuntimeErrorKind {
  switch (code) {
    case GrpcStatus.NOT_FOUND: return 'NotFound';
    case GrpcStatus.INVALID_ARGUMENT: return 'InvalidArgument';
    case GrpcStatus.DEADLINE_EXCEEDED: return 'Timeout';
    case GrpcStatus.UNAVAILABLE: return 'Unavailable';
    default: return 'Unknown';
  }
}

/** Turns a gRPC error into a RuntimeError; `details` is the runtime's own message. */
export function toRuntimeError(op: string, err: GrpcError): RuntimeError {
  const e = new RuntimeError(kindOf(err.code), err.details || err.message, op);
  (e as { grpcCode?: number }).grpcCode = err.code;
  return e;
}

export interface CriClientOptions {
  /** Absolute path of the runtime's socket, with or without `unix://`. */
  socket: string;
  /** Deadline for ordinary calls in ms (PullImage, StopContainer and ExecSync get their own). */
  defaultTimeoutMs?: number;
}

/** One connection, two services. */
export class CriClient {
  private readonly grpc: GrpcClient;
  private readonly methods = new Map<string, Method | null>();
  private readonly defaultTimeoutMs: number;

  constructor(opts: CriClientOptions) {
    criRoot(); // a missing or broken api.proto fails here, not on the first call
    const socketPath = opts.socket.startsWith('unix://') ? opts.socket.slice('unix://'.length) : opts.socket;
    this.grpc = new GrpcClient({ connect: () => netConnect(socketPath), maxReceiveBytes: MAX_MESSAGE });
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 2 * 60_000;
  }

  /** Calls a RuntimeService method. `timeoutMs` 0 means no deadline. */
  runtimeCall<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>('RuntimeService', method, req, timeoutMs);
  }

  /** Calls an ImageService method. `timeoutMs` 0 means no deadline. */
  imageCall<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>('ImageService', method, req, timeoutMs);
  }

  /**
   * Subscribes to containerd's event stream (containerd.services.events.v1.Events, served on the
   * same socket as its CRI plugin) for the events of `namespace` whose topic matches `topicRegexp`.
   * `onEnd` gets the error that ended the stream (UNIMPLEMENTED when the socket is not containerd's).
   */
  subscribeEvents(namespace: string, topicRegexp: string, onEvent: (e: RuntimeEventEnvelope) => void, onEnd: (err: RuntimeError) => void): GrpcStream {
    const { request, envelope } = eventTypes();
    const filter = `namespace==${namespace},topic~=${JSON.stringify(topicRegexp)}`;
    const body = request.encode(request.fromObject({ filters: [filter] })).finish();
    return this.grpc.serverStream(EVENTS_SUBSCRIBE, body,
      (m) => onEvent(envelope.toObject(envelope.decode(m), TO_OBJECT) as RuntimeEventEnvelope),
      (err) => onEnd(err ? toRuntimeError('Subscribe', err) : new RuntimeError('Unavailable', 'event stream ended', 'Subscribe')));
  }

  close(): void {
    this.grpc.close();
  }

  private method(service: string, name: string): Method | null {
    const key = `${service}/${name}`;
    let m = this.methods.get(key);
    if (m === undefined) {
      const svc = criRoot().lookupService(`runtime.v1.${service}`);
      const def = svc.methods[name];
      m = def?.resolvedRequestType && def.resolvedResponseType && !def.requestStream && !def.responseStream
        ? { path: `/runtime.v1.${service}/${name}`, request: def.resolvedRequestType, response: def.resolvedResponseType }
        : null;
      this.methods.set(key, m);
    }
    return m;
  }

  private async call<T>(service: string, name: string, req: object, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const m = this.method(service, name);
    if (!m) throw new Error(`CRI method ${name} is not a unary method of ${service} in api.proto`);
    const body = m.request.encode(m.request.fromObject(req as Record<string, unknown>)).finish();
    let reply: Buffer;
    try {
      reply = await this.grpc.call(m.path, body, timeoutMs);
    } catch (err) {
      throw err instanceof GrpcError ? toRuntimeError(name, err) : err;
    }
    return m.response.toObject(m.response.decode(reply), TO_OBJECT) as T;
  }
}
