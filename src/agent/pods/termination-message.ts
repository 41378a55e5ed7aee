import { chmodSync, closeSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import type { Mount } from '../runtime/types.js';
import type { PodRuntimeState } from '../runtime/pod-state.js';
import { formatEntry, parseCriLogLine } from '../server/cri-log.js';

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

/**
 * What the kubelet's readLastStringFromContainerLogs makes of a CRI log: its last `lines` entries
 * read as `kubectl logs` prints them (a full entry ends with its newline, a partial one without),
 * the last `bytes` of that kept (a circular buffer). A line cut off at the start is skipped.
 */
export function logTail(criLog: string, lines = FALLBACK_LINES, bytes = FALLBACK_BYTES): string {
  const entries = criLog.split('\n').filter(Boolean).slice(-lines)
    .map((l) => parseCriLogLine(Buffer.from(l)))
    .filter((e) => e !== undefined);
  const out = Buffer.concat(entries.map((e) => formatEntry(e, false)));
  return out.subarray(Math.max(0, out.length - bytes)).toString('utf8');
}

/** Fills `message` of exited containers from their termination log (or log tail); mutates `state`. */
export function addTerminationMessages(state: PodRuntimeState, pod: Pod, podDir: string, logDir: string): void {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
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
