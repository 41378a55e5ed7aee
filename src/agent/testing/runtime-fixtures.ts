import type { RuntimeContainer } from '../runtime/pod-state.js';
import type { PodSandboxStatus } from '../runtime/types.js';

/** Fixtures for pure status tests: a sandbox and containers as the runtime reports them. */

export const FIXTURE_T0 = new Date('2026-01-01T00:00:00Z');

export function fixtureSandbox(ready = true): PodSandboxStatus {
  return {
    id: 'sb1', metadata: { name: 'p', namespace: 'default', uid: 'u1', attempt: 0 }, state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
    createdAt: FIXTURE_T0, labels: {}, annotations: {}, ip: ready ? '10.88.0.5' : '', additionalIps: [],
  };
}

/** Makes containers created one after another (ids c1, c2, ...); `typeOf` says init or regular. */
export function containerFixtures(typeOf: (name: string) => RuntimeContainer['type'] = () => 'regular') {
  let seq = 0;
  return (name: string, state: RuntimeContainer['state'], o: Partial<RuntimeContainer> = {}): RuntimeContainer => {
    seq++;
    return {
      id: `c${seq}`, name, sandboxId: 'sb1', state, createdAt: new Date(FIXTURE_T0.getTime() + seq), startedAt: FIXTURE_T0,
      finishedAt: state === 'CONTAINER_EXITED' ? new Date('2026-01-01T00:00:05Z') : undefined,
      exitCode: 0, reason: state === 'CONTAINER_EXITED' ? 'Completed' : '', message: '', image: 'img:1', imageRef: 'sha256:abc',
      restartCount: 0, specHash: '', type: typeOf(name), ...o,
    };
  };
}
