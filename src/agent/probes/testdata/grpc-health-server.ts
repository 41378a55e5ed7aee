/**
 * agnhost's `grpc-health-checking` for the GRPC liveness probe conformance tests
 * (test/e2e/conformance-node-pods-hooks-probes.ts): a plaintext grpc.health.v1.Health server, written
 * with @grpc/grpc-js, on the port of its first argument (default 5000, upstream's). Check answers
 * SERVING for the server as a whole (service ""), and NOT_FOUND for a named service, as grpc-go's
 * health server does for a service it does not know. It runs in a container as
 * `node /grpc-health.mjs` (bosun.test/node-operator:1, scripts/build-test-node-operator-image.sh
 * bundles it); TERM stops it at once (as PID 1 it would otherwise ignore TERM).
 */
import * as grpc from '@grpc/grpc-js';

const port = Number(process.argv[2] ?? 5000);
const bytes = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
/** HealthCheckResponse{status: SERVING}: field 1, varint 1. */
const SERVING = Buffer.from([0x08, 0x01]);

const server = new grpc.Server();
server.addService({ Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, ...bytes } }, {
  // HealthCheckRequest.service is field 1 (tag 0x0a, a one-byte length for any name used here).
  Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => {
    const service = call.request[0] === 0x0a ? call.request.subarray(2, 2 + call.request[1]!).toString() : '';
    if (service === '') done(null, SERVING);
    else done({ code: grpc.status.NOT_FOUND, details: `unknown service ${service}` });
  },
});
server.bindAsync(`0.0.0.0:${port}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  console.log(`grpc health server listening on ${port}`);
});
process.on('SIGTERM', () => process.exit(0));
