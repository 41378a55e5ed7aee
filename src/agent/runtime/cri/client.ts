import { connect as netConnect } from 'node:net';
import { RuntimeError, type RuntimeErrorKind } from '../types.js';
import { GrpcClient, GrpcError, GrpcStatus, type GrpcStream } from '../../grpc/grpc-client.js';
import { decodeMessage, encodeMessage, type ProtoSchema } from '../../grpc/proto-codec.js';
import { CRI_SCHEMA, CRI_SERVICES } from './api-schema.js';
import { exitedTask } from './task-exit.js';

/**
 * A raw CRI runtime.v1 client: both services (RuntimeService, ImageService) over one HTTP/2
 * connection on a unix socket, as the kubelet keeps one. Messages are plain objects with camelCase
 * fields; int64 values are decimal strings (nanosecond timestamps overflow JS numbers), enums are
 * their names, absent fields are defaults (absent messages are null): the shapes @grpc/proto-loader
 * gives, made by proto-codec.ts from api-schema.ts (generated from api.proto). Errors become
 * RuntimeError with the operation's name.
 */

/** gRPC max message size: ExecSync output is capped at 16 MiB per stream by CRI runtimes. */
const MAX_MESSAGE = 64 * 1024 * 1024;

const EVENTS_SUBSCRIBE = '/containerd.services.events.v1.Events/Subscribe';

/** The fields of containerd's event Envelope the agent reads (the payload, an Any, is skipped). */
export interface RuntimeEventEnvelope {
  namespace: string;
  topic: string;
  /** Set for a /tasks/exit of a container's or sandbox's main process: its id (task-exit.ts). */
  exited?: string;
}

/** containerd's SubscribeRequest and Envelope (api/services/events/v1/events.proto), the fields used. */
export const EVENTS_SCHEMA: ProtoSchema = {
  package: 'containerd.services.events.v1',
  messages: { SubscribeRequest: [['filters', 1, 'string', 'repeated']], Envelope: [['namespace', 2, 'string'], ['topic', 3, 'string']] },
  enums: {},
};

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
  return new RuntimeError(kindOf(err.code), err.details || err.message, op, err.code);
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
  private readonly defaultTimeoutMs: number;

  constructor(opts: CriClientOptions) {
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
    const filter = `namespace==${namespace},topic~=${JSON.stringify(topicRegexp)}`;
    const body = encodeMessage(EVENTS_SCHEMA, 'SubscribeRequest', { filters: [filter] });
    return this.grpc.serverStream(EVENTS_SUBSCRIBE, body,
      (m) => {
        const e = decodeMessage<RuntimeEventEnvelope>(EVENTS_SCHEMA, 'Envelope', m);
        const exited = exitedTask(e.topic, m);
        onEvent(exited ? { ...e, exited } : e);
      },
      (err) => onEnd(err ? toRuntimeError('Subscribe', err) : new RuntimeError('Unavailable', 'event stream ended', 'Subscribe')));
  }

  close(): void {
    this.grpc.close();
  }

  private async call<T>(service: string, name: string, req: object, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const m = Object.hasOwn(CRI_SERVICES[service] ?? {}, name) ? CRI_SERVICES[service]![name] : undefined;
    if (!m || m[2]) throw new Error(`CRI method ${name} is not a unary method of ${service} in api.proto`);
    const body = encodeMessage(CRI_SCHEMA, m[0], req);
    let reply: Buffer;
    try {
      reply = await this.grpc.call(`/${CRI_SCHEMA.package}.${service}/${name}`, body, timeoutMs);
    } catch (err) {
      throw err instanceof GrpcError ? toRuntimeError(name, err) : err;
    }
    return decodeMessage<T>(CRI_SCHEMA, m[1], reply);
  }
}
