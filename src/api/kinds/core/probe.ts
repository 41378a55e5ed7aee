/** core/v1 handlers shared by probes and lifecycle hooks: exec, httpGet, tcpSocket, grpc, sleep. */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';

const V1 = 'io.k8s.api.core.v1';

export const execActionSchema = s.object({
  command: s.strings("Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is treated as live/healthy and non-zero is unhealthy."),
}, { name: `${V1}.ExecAction`, description: 'ExecAction describes a "run in container" action.' });

export const httpHeaderSchema = s.object({
  name: s.string('The header field name. This will be canonicalized upon output, so case-variant names will be understood as the same header.'),
  value: s.string('The header field value'),
}, { name: `${V1}.HTTPHeader`, required: ['name', 'value'], description: 'HTTPHeader describes a custom header to be used in HTTP probes' });

export const httpGetActionSchema = s.object({
  path: s.string('Path to access on the HTTP server.'),
  port: s.intOrString('Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.'),
  host: s.string('Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.'),
  scheme: s.string({ description: 'Scheme to use for connecting to the host. Defaults to HTTP.\n\nPossible enum values:\n - `"HTTP"` means that the scheme used will be http://\n - `"HTTPS"` means that the scheme used will be https://', enum: ['HTTP', 'HTTPS'], default: 'HTTP' }),
  httpHeaders: s.array(httpHeaderSchema, { description: 'Custom headers to set in the request. HTTP allows repeated headers.', listType: 'atomic' }),
}, { name: `${V1}.HTTPGetAction`, required: ['port'], description: 'HTTPGetAction describes an action based on HTTP Get requests.' });

export const tcpSocketActionSchema = s.object({
  port: s.intOrString('Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.'),
  host: s.string('Optional: Host name to connect to, defaults to the pod IP.'),
}, { name: `${V1}.TCPSocketAction`, required: ['port'], description: 'TCPSocketAction describes an action based on opening a socket' });

export const grpcActionSchema = s.object({
  port: s.int('Port number of the gRPC service. Number must be in the range 1 to 65535.'),
  service: s.string({ description: 'Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).\n\nIf this is not specified, the default behavior is defined by gRPC.', default: '' }),
}, { name: `${V1}.GRPCAction`, required: ['port'], description: 'GRPCAction specifies an action involving a GRPC service.' });

export const sleepActionSchema = s.object({
  seconds: s.int64('Seconds is the number of seconds to sleep.'),
}, { name: `${V1}.SleepAction`, required: ['seconds'], description: 'SleepAction describes a "sleep" action.' });

export const probeSchema = s.object({
  exec: { ...execActionSchema, description: 'Exec specifies a command to execute in the container.' },
  httpGet: { ...httpGetActionSchema, description: 'HTTPGet specifies an HTTP GET request to perform.' },
  tcpSocket: { ...tcpSocketActionSchema, description: 'TCPSocket specifies a connection to a TCP port.' },
  grpc: { ...grpcActionSchema, description: 'GRPC specifies a GRPC HealthCheckRequest.' },
  initialDelaySeconds: s.int('Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes'),
  timeoutSeconds: s.int({ description: 'Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes', default: 1 }),
  periodSeconds: s.int({ description: 'How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.', default: 10 }),
  successThreshold: s.int({ description: 'Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.', default: 1 }),
  failureThreshold: s.int({ description: 'Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.', default: 3 }),
  terminationGracePeriodSeconds: s.int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure. If this value is nil, the pod\'s terminationGracePeriodSeconds will be used.'),
}, { name: `${V1}.Probe`, description: 'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.' });

export const lifecycleHandlerSchema = s.object({
  exec: { ...execActionSchema, description: 'Exec specifies a command to execute in the container.' },
  httpGet: { ...httpGetActionSchema, description: 'HTTPGet specifies an HTTP GET request to perform.' },
  tcpSocket: { ...tcpSocketActionSchema, description: 'Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility.' },
  sleep: { ...sleepActionSchema, description: 'Sleep represents a duration that the container should sleep.' },
}, { name: `${V1}.LifecycleHandler`, description: 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified.' });

export const lifecycleSchema = s.object({
  postStart: { ...lifecycleHandlerSchema, description: 'PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy.' },
  preStop: { ...lifecycleHandlerSchema, description: "PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc. The container's termination grace period countdown begins before the PreStop hook is executed." },
  stopSignal: s.string('StopSignal defines which signal will be sent to a container when it is being stopped.'),
}, { name: `${V1}.Lifecycle`, description: 'Lifecycle describes actions that the management system should take in response to container lifecycle events.' });

export type Probe = Infer<typeof probeSchema>;
export type HTTPGetAction = Infer<typeof httpGetActionSchema>;
export type LifecycleHandler = Infer<typeof lifecycleHandlerSchema>;
export type Lifecycle = Infer<typeof lifecycleSchema>;
