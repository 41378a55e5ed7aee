import { connect } from 'node:net';
import protobuf from 'protobufjs';
import { GrpcClient, GrpcError, GrpcStatus } from '../grpc/grpc-client.js';
import type { ProbeResult } from './prober.js';

/**
 * A gRPC probe, as the kubelet's (pkg/probe/grpc): a plaintext connection to the pod's port, one
 * grpc.health.v1.Health/Check with the probe's service name, success only on SERVING. The connection
 * is made for the probe and closed after it. Outputs follow the kubelet's wording, since they end
 * up in "Liveness probe failed: ..." events.
 */

const CHECK = '/grpc.health.v1.Health/Check';
const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

let types: { request: protobuf.Type; response: protobuf.Type } | undefined;
/** HealthCheckRequest and HealthCheckResponse of grpc/health/v1/health.proto. */
function healthTypes(): { request: protobuf.Type; response: protobuf.Type } {
  if (!types) {
    const request = new protobuf.Type('HealthCheckRequest').add(new protobuf.Field('service', 1, 'string'));
    const response = new protobuf.Type('HealthCheckResponse').add(new protobuf.Field('status', 1, 'int32'));
    new protobuf.Root().define('grpc.health.v1').add(request).add(response);
    types = { request, response };
  }
  return types;
}

const isDialFailure = (e: GrpcError) => e.code === GrpcStatus.UNAVAILABLE && /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET|connect/.test(e.details);

export async function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const client = new GrpcClient({ connect: () => connect({ host, port }), maxReceiveBytes: 64 * 1024, userAgent: 'kube-probe/1.32', authority: addr });
  const { request, response } = healthTypes();
  const seconds = `${timeoutMs / 1000}s`;
  try {
    const reply = await client.call(CHECK, request.encode(request.fromObject({ service })).finish(), timeoutMs);
    const status = (response.decode(reply) as unknown as { status: number }).status ?? 0;
    if (status !== 1) return { ok: false, output: `service unhealthy (responded with "${SERVING_STATUS[status] ?? String(status)}")` };
    return { ok: true, output: 'service healthy' };
  } catch (err) {
    if (!(err instanceof GrpcError)) return { ok: false, output: `error: health rpc probe failed: ${String(err)}` };
    if (isDialFailure(err)) return { ok: false, output: `error: failed to connect service at "${addr}": ${err.details}` };
    if (err.code === GrpcStatus.UNIMPLEMENTED) return { ok: false, output: `this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` };
    if (err.code === GrpcStatus.DEADLINE_EXCEEDED) return { ok: false, output: `timeout: health rpc did not complete within ${seconds}` };
    return { ok: false, output: `error: health rpc probe failed: rpc error: code = ${err.code} desc = ${err.details}` };
  } finally {
    client.close();
  }
}
