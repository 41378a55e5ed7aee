import { RuntimeError, type RuntimeErrorKind } from './types.js';

/**
 * A runtime error as the kubelet prints one it got from its CRI client: grpc-go's status error text,
 * `rpc error: code = <Code> desc = <message>` (status.Error().Error()). The kubelet keeps that text
 * where it formats the error itself (ErrImagePull's message and "Failed to pull image" event,
 * FailedCreatePodSandBox) and shows only the description where it takes grpcstatus's Message()
 * (CreateContainerError, RunContainerError): runtimeErrorDesc.
 */

/** grpc-go's codes.Code names, by number. */
const CODE_NAMES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];

/** The code of an error that did not come over gRPC (the fake runtime's), from its kind. */
const KIND_CODES: Record<RuntimeErrorKind, number> = { NotFound: 5, InvalidArgument: 3, Timeout: 4, Unavailable: 14, ImagePull: 2, Unknown: 2 };

/** The runtime's own message, without the operation's name RuntimeError puts before it. */
export function runtimeErrorDesc(err: unknown): string {
  if (!(err instanceof RuntimeError)) return err instanceof Error ? err.message : String(err);
  return err.message.startsWith(`${err.op}: `) ? err.message.slice(err.op.length + 2) : err.message;
}

/** `rpc error: code = NotFound desc = ...` for a runtime error; other errors as their message. */
export function rpcErrorText(err: unknown): string {
  if (!(err instanceof RuntimeError)) return runtimeErrorDesc(err);
  const code = err.code ?? KIND_CODES[err.kind];
  return `rpc error: code = ${CODE_NAMES[code] ?? `Code(${code})`} desc = ${runtimeErrorDesc(err)}`;
}
