/**
 * Turns kubelet's exec, attach and portForward requests into the runtime's streaming URLs (CRI Exec,
 * Attach and PortForward), after checking that the container runs or the sandbox is ready.
 * Query parameters are kubelet's: command (repeated), input, output, error, tty (`1`/`true`).
 */
import { failure } from '../../api/status.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { findContainer, lookupErrors, type PodLookup } from './container-lookup.js';

const flag = (q: URLSearchParams, name: string): boolean => {
  const v = q.get(name);
  return v === '1' || v === 'true';
};

/** stdin/stdout/stderr/tty from kubelet's query; with a terminal stderr is merged into stdout (CRI refuses both). */
function stdio(q: URLSearchParams): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  const tty = flag(q, 'tty');
  const io = { stdin: flag(q, 'input'), stdout: flag(q, 'output'), stderr: flag(q, 'error') && !tty, tty };
  if (!io.stdin && !io.stdout && !io.stderr) throw failure(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
  return io;
}

async function runningContainerId(runtime: ContainerRuntime, lookup: PodLookup, ns: string, pod: string, container: string): Promise<string> {
  const found = await findContainer(runtime, lookup, ns, pod, container);
  const current = found.instances[0];
  if (!current || current.state !== 'CONTAINER_RUNNING') throw lookupErrors.notRunning(container, pod);
  return current.id;
}

export async function execTarget(runtime: ContainerRuntime, lookup: PodLookup, ns: string, pod: string, container: string, q: URLSearchParams): Promise<URL> {
  if (!runtime.exec) throw failure(501, 'BadRequest', 'the container runtime does not support exec');
  const cmd = q.getAll('command');
  if (cmd.length === 0) throw failure(400, 'BadRequest', 'you must specify at least one command for the container');
  const io = stdio(q);
  const containerId = await runningContainerId(runtime, lookup, ns, pod, container);
  return new URL(await runtime.exec({ containerId, cmd, ...io }));
}

export async function attachTarget(runtime: ContainerRuntime, lookup: PodLookup, ns: string, pod: string, container: string, q: URLSearchParams): Promise<URL> {
  if (!runtime.attach) throw failure(501, 'BadRequest', 'the container runtime does not support attach');
  const io = stdio(q);
  const containerId = await runningContainerId(runtime, lookup, ns, pod, container);
  return new URL(await runtime.attach({ containerId, ...io }));
}

export async function portForwardTarget(runtime: ContainerRuntime, lookup: PodLookup, ns: string, pod: string, q: URLSearchParams): Promise<URL> {
  if (!runtime.portForward) throw failure(501, 'BadRequest', 'the container runtime does not support port forwarding');
  const sandboxes = await lookup.sandboxes(ns, pod);
  const ready = sandboxes.find((s) => s.state === 'SANDBOX_READY');
  if (!ready) throw sandboxes.length === 0 ? lookupErrors.podNotFound(ns, pod) : failure(400, 'BadRequest', `pod "${pod}" is not running`);
  const ports = q.getAll('port').map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  return new URL(await runtime.portForward(ready.id, ports));
}
