import { connect } from 'node:net';
import { GrpcClient, GrpcError, GrpcStatus } from '../grpc/grpc-client.js';
import { decodeMessage, encodeMessage, type ProtoSchema } from '../grpc/proto-codec.js';
import type { ProbeResult } from './prober.js';

/**
 * A gRPC probe, as the kubelet's (pkg/probe/grpc): a plaintext connection to the pod's port, one
 * grpc.health.v1.Health/Check with the probe's service name, success only on SERVING. The connection
 * is made for the probe and closed after it. Outputs follow the kubelet's wording, since they end
 * up in "Liveness probe failed: ..." events.
 */

const CHECK = '/grpc.health.v1.Health/Check';

/** HealthCheckRequest and HealthCheckResponse of grpc/health/v1/health.proto. */
export const HEALTH_SCHEMA: ProtoSchema = {
  package: 'grpc.health.v1',
  messages: { HealthCheckRequest: [['service', 1, 'string']], HealthCheckResponse: [['status', 1, 'HealthCheckResponse.ServingStatus']] },
  enums: { 'HealthCheckResponse.ServingStatus': { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
};

const isDialFailure = (e: GrpcError) => e.code === GrpcStatus.UNAVAILABLE && /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ECONNRESET|connect/.test(e.details);

export async function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeResult> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const client = new GrpcClient({ connect: () => connect({ host, port }), maxReceiveBytes: 64 * 1024, userAgent: 'kube-probe/1.32', authority: addr });
  const seconds = `${timeoutMs / 1000}s`;
  try {
    const reply = await client.call(CHECK, encodeMessage(HEALTH_SCHEMA, 'HealthCheckRequest', { service }), timeoutMs);
    const { status } = decodeMessage<{ status: string | number }>(HEALTH_SCHEMA, 'HealthCheckResponse', reply);
    if (status !== 'SERVING') return { ok: false, output: `service unhealthy (responded with "${status}")` };
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
