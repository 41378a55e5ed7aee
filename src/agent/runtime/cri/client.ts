import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { RuntimeError, type RuntimeErrorKind } from '../types.js';

/**
 * A raw CRI runtime.v1 client: both services (RuntimeService, ImageService) over one gRPC channel on
 * a unix socket. Messages are plain objects with camelCase fields; int64 values are decimal strings
 * (nanosecond timestamps overflow JS numbers), enums are their names, absent fields are defaults
 * (absent messages are null). Errors become RuntimeError with the operation's name.
 */

type Unary = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;
type ServiceClient = grpc.Client & Record<string, Unary>;

/** gRPC max message size: ExecSync output is capped at 16 MiB per stream by CRI runtimes. */
const MAX_MESSAGE = 64 * 1024 * 1024;

/** The proto ships next to this file in src/; a build to dist/ without it falls back to src/. */
function protoPath(): string {
  const here = fileURLToPath(new URL('./api.proto', import.meta.url));
  if (existsSync(here)) return here;
  const fromSrc = here.replace(/\/dist\/agent\//, '/src/agent/');
  if (existsSync(fromSrc)) return fromSrc;
  throw new Error(`CRI api.proto not found at ${here} or ${fromSrc}`);
}

let loaded: grpc.GrpcObject | undefined;
function criPackage(): grpc.GrpcObject {
  if (!loaded) {
    const def = protoLoader.loadSync(protoPath(), { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
    loaded = grpc.loadPackageDefinition(def);
  }
  return loaded;
}

function kindOf(code: grpc.status | undefined): RuntimeErrorKind {
  switch (code) {
    case grpc.status.NOT_FOUND: return 'NotFound';
    case grpc.status.INVALID_ARGUMENT: return 'InvalidArgument';
    case grpc.status.DEADLINE_EXCEEDED: return 'Timeout';
    case grpc.status.UNAVAILABLE: return 'Unavailable';
    default: return 'Unknown';
  }
}

/** Turns a gRPC error into a RuntimeError; `details` is the runtime's own message. */
export function toRuntimeError(op: string, err: grpc.ServiceError): RuntimeError {
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

/** One channel, two service stubs. */
export class CriClient {
  private readonly runtime: ServiceClient;
  private readonly image: ServiceClient;
  private readonly defaultTimeoutMs: number;

  constructor(opts: CriClientOptions) {
    const pkg = criPackage();
    const v1 = (pkg.runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const address = opts.socket.startsWith('unix://') ? opts.socket : `unix://${opts.socket}`;
    const creds = grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': MAX_MESSAGE, 'grpc.max_send_message_length': MAX_MESSAGE };
    const RuntimeService = v1.RuntimeService as grpc.ServiceClientConstructor;
    const ImageService = v1.ImageService as grpc.ServiceClientConstructor;
    this.runtime = new RuntimeService(address, creds, options) as unknown as ServiceClient;
    // Sharing the channel keeps one connection for both services, as the kubelet does.
    this.image = new ImageService(address, creds, { ...options, channelOverride: this.runtime.getChannel() }) as unknown as ServiceClient;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 2 * 60_000;
  }

  /** Calls a RuntimeService method. `timeoutMs` 0 means no deadline. */
  runtimeCall<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.runtime, method, req, timeoutMs);
  }

  /** Calls an ImageService method. `timeoutMs` 0 means no deadline. */
  imageCall<T>(method: string, req: object, timeoutMs?: number): Promise<T> {
    return this.call<T>(this.image, method, req, timeoutMs);
  }

  close(): void {
    this.image.close();
    this.runtime.close();
  }

  private call<T>(client: ServiceClient, method: string, req: object, timeoutMs = this.defaultTimeoutMs): Promise<T> {
    const fn = client[method];
    if (typeof fn !== 'function') return Promise.reject(new Error(`CRI method ${method} is not in api.proto`));
    const opts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    return new Promise<T>((resolve, reject) => {
      fn.call(client, req, new grpc.Metadata(), opts, (err, res) => {
        if (err) reject(toRuntimeError(method, err));
        else resolve(res as T);
      });
    });
  }
}
