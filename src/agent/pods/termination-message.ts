import { chmodSync, closeSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { Mount } from '../runtime/types.js';
import type { PodRuntimeState } from '../runtime/pod-state.js';

/**
 * Termination messages (kubelet): each container gets a host file mounted at its
 * terminationMessagePath (default /dev/termination-log); when the container has exited, what it
 * wrote there becomes `terminated.message`: its last 4096 bytes, read without loading the rest (the
 * kubelet's tail.ReadAtMost). With FallbackToLogsOnError an empty file and a non-zero exit use the
 * end of the container's log instead (80 lines, 2048 bytes).
 */

const MAX_MESSAGE = 4096;
const FALLBACK_LINES = 80;
const FALLBACK_BYTES = 2048;

export function terminationLogPath(podDir: string, container: string, restartCount: number): string {
  return join(podDir, 'containers', container, `${restartCount}-termination-log`);
}

/** Creates the (empty) file and returns the mount for the container. */
export function terminationLogMount(podDir: string, c: Container, restartCount: number): Mount {
  const file = terminationLogPath(podDir, c.name, restartCount);
  mkdirSync(join(podDir, 'containers', c.name), { recursive: true });
  closeSync(openSync(file, 'w', 0o666));
  // The umask took bits off: a container running as non-root must still write its message
  // (the kubelet chmods the file 0666 for the same reason).
  chmodSync(file, 0o666);
  return { containerPath: c.terminationMessagePath || '/dev/termination-log', hostPath: file };
}

/** The last `maxBytes` of a file ('' when it cannot be read). */
export function readAtMost(path: string, maxBytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    const got = readSync(fd, buf, 0, len, size - len);
    return buf.subarray(0, got).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The text of CRI log lines ("<time> <stream> <F|P> <text>"): the last lines, bounded in bytes. */
export function logTail(criLog: string, lines = FALLBACK_LINES, bytes = FALLBACK_BYTES): string {
  const texts = criLog.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ (stdout|stderr) [FP] /, ''));
  let out = texts.slice(-lines).join('\n');
  if (Buffer.byteLength(out) > bytes) out = Buffer.from(out).subarray(-bytes).toString('utf8');
  return out;
}

/** Fills `message` of exited containers from their termination log (or log tail); mutates `state`. */
export function addTerminationMessages(state: PodRuntimeState, pod: Pod, podDir: string, logDir: string): void {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const rc of state.containers) {
    if (rc.state !== 'CONTAINER_EXITED') continue;
    // No file (e.g. made by an older agent) reads as empty.
    let msg = readAtMost(terminationLogPath(podDir, rc.name, rc.restartCount), MAX_MESSAGE);
    const spec = specs.find((s) => s.name === rc.name);
    if (!msg && rc.exitCode !== 0 && spec?.terminationMessagePolicy === 'FallbackToLogsOnError') {
      msg = logTail(readAtMost(join(logDir, rc.name, `${rc.restartCount}.log`), FALLBACK_BYTES * 4));
    }
    if (msg) rc.message = msg;
  }
}
