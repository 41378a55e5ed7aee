import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { Container } from '../../api/kinds/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { runAction } from './prober.js';

/**
 * gRPC probes against a real gRPC server (grpc-js) on loopback, standing in for a pod's health
 * service: the kubelet's semantics (SERVING succeeds, anything else fails) and its failure wording.
 */

const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
/** HealthCheckResponse{status} by hand: field 1, varint. */
const healthReply = (status: number) => Buffer.from([0x08, status]);
/** HealthCheckRequest.service by hand: field 1, length-delimited. */
const serviceOf = (req: Buffer) => (req.length ? req.subarray(2, 2 + req[1]!).toString() : '');

let health: grpc.Server;
let bare: grpc.Server;
let healthPort = 0;
let barePort = 0;
const seen: { service: string; userAgent: string }[] = [];

function bind(s: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => s.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const target = { runtime: {} as ContainerRuntime, containerId: 'c', container: { name: 'app' } as Container, podIP: '127.0.0.1' };
const probe = (port: number, service?: string, timeoutSeconds = 1) => runAction({ grpc: { port, service } }, target, timeoutSeconds);

describe('gRPC probe', () => {
  before(async () => {
    health = new grpc.Server();
    health.addService({ Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, ...raw } }, {
      Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const service = serviceOf(call.request);
        seen.push({ service, userAgent: String(call.metadata.get('user-agent')[0] ?? '') });
        if (service === 'hang') return; // never answers
        cb(null, healthReply(service === '' || service === 'web' ? 1 : service === 'down' ? 2 : 3));
      },
    });
    healthPort = await bind(health);
    bare = new grpc.Server(); // a gRPC server without the health service
    barePort = await bind(bare);
  });
  after(() => {
    health.forceShutdown();
    bare.forceShutdown();
  });

  it('succeeds when the service answers SERVING, sending the service name and kube-probe user agent', async () => {
    assert.deepEqual(await probe(healthPort), { ok: true, output: 'service healthy' });
    assert.deepEqual(await probe(healthPort, 'web'), { ok: true, output: 'service healthy' });
    assert.deepEqual(seen.slice(-2).map((s) => s.service), ['', 'web']);
    assert.match(seen.at(-1)!.userAgent, /^kube-probe\/1\.32/);
  });

  const failures: Array<[string, () => Promise<number>, string | undefined, RegExp]> = [
    ['NOT_SERVING', async () => healthPort, 'down', /^service unhealthy \(responded with "NOT_SERVING"\)$/],
    ['SERVICE_UNKNOWN', async () => healthPort, 'other', /^service unhealthy \(responded with "SERVICE_UNKNOWN"\)$/],
    ['no health service', async () => barePort, undefined, /^this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\)/],
    ['nothing listening', closedPort, undefined, /^error: failed to connect service at "127\.0\.0\.1:\d+": .*ECONNREFUSED/],
    ['no answer in time', async () => healthPort, 'hang', /^timeout: health rpc did not complete within 1s$/],
  ];
  for (const [name, port, service, output] of failures) {
    it(`fails: ${name}`, async () => {
      const r = await probe(await port(), service);
      assert.equal(r.ok, false);
      assert.match(r.output, output);
    });
  }
});
