/**
 * The node the pod lifecycle tests share (pods/pod-lifecycle.test.ts and the tests it declares from
 * pod-config-source-tests.ts): the node agent on the fake runtime against a real in-process API
 * server, with short crash and image pull back-offs. Started and stopped by the hooks fakeNodeForFile
 * registers; `rt` and `h` are live bindings, set once the file's before hook ran.
 */
import { after, before } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentHarness, type AgentHarness } from './agent-harness.js';

export const IMG = 'bosun.test/busybox:1';
export const cs = (p: Pod, name = 'app') => p.status?.containerStatuses?.find((c) => c.name === name);
export const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

export let rt: FakeRuntime;
export let h: AgentHarness;

/** Registers the describe's before and after hooks that start and stop the node. */
export function fakeNodeForFile(): void {
  before(async () => {
    rt = new FakeRuntime({ images: [IMG] });
    h = await startAgentHarness(rt, { crashBackoff: { initialMs: 300, maxMs: 1200 }, imagePullBackoff: { initialMs: 1000, maxMs: 4000 } });
  });
  after(async () => {
    await h.stop();
    rt.close();
  });
}
