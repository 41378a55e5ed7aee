/**
 * The node agent's container log rotation, as the kubelet's ContainerLogManager
 * (pkg/kubelet/logs/container_log_manager.go): every monitor interval (10 s) each running
 * container's live log (CRI ContainerStatus log path) that has reached containerLogMaxSize (10Mi)
 * is rotated, keeping at most containerLogMaxFiles (5) files per container, older ones gzipped. A
 * live log that went missing (a reopen that failed after the rename) is recovered by asking the
 * runtime to reopen it. Runtimes without ReopenContainerLog are not rotated.
 *
 * Unlike the kubelet, a pass first looks at the files under the logs directory and asks the runtime
 * nothing unless one has reached the size: an idle node makes no runtime calls for it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQuantity } from '../../api/quantity/quantity.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { rotateLog } from './rotate-log.js';

export const DEFAULT_CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;
export const CONTAINER_LOG_MONITOR_MS = 10_000;

export interface ContainerLogPolicy {
  /** Bytes at which a live log is rotated. */
  maxSize: number;
  /** Files kept per container, the live one included (at least 2, as the kubelet validates). */
  maxFiles: number;
  monitorMs: number;
}

/** `--container-log-max-size`: a quantity of bytes (`10Mi`, `500Ki`, `1G`), above zero. */
export function parseLogMaxSizeFlag(v: string): number | { error: string } {
  try {
    const n = Number(parseQuantity(v).value());
    if (n > 0) return n;
  } catch {
    /* reported below */
  }
  return { error: 'must be a size such as 10Mi or 500Ki' };
}

/** `--container-log-max-files`: a whole number of at least 2 (the kubelet refuses less). */
export function parseLogMaxFilesFlag(v: string): number | { error: string } {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= 2 ? n : { error: 'must be a whole number of at least 2' };
}

/** The rotation settings the flags give (absent: the kubelet's defaults). */
export function containerLogPolicyFromFlags(f: { containerLogMaxSize?: number; containerLogMaxFiles?: number }): Partial<ContainerLogPolicy> {
  return { maxSize: f.containerLogMaxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE, maxFiles: f.containerLogMaxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES };
}

export interface ContainerLogManager {
  /** One pass over the running containers (the periodic loop calls it). */
  rotateLogs(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether any live log (`<logsDir>/<pod>/<container>/<n>.log`) has reached `maxSize`. */
async function anyLogAtLeast(logsDir: string, maxSize: number): Promise<boolean> {
  const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
  for (const pod of await list(logsDir)) {
    for (const container of await list(join(logsDir, pod))) {
      for (const f of await list(join(logsDir, pod, container))) {
        if (!/^\d+\.log$/.test(f)) continue;
        const st = await stat(join(logsDir, pod, container, f)).catch(() => undefined);
        if (st && st.size >= maxSize) return true;
      }
    }
  }
  return false;
}

/** `logsDir` is where the agent's sandboxes put their logs (DATA_DIR/logs). */
export function startContainerLogManager(runtime: ContainerRuntime, logsDir: string, policy: ContainerLogPolicy, log: Logger): ContainerLogManager | undefined {
  const reopen = runtime.reopenContainerLog?.bind(runtime);
  if (!reopen) return undefined;
  if (policy.maxFiles < 2) throw new Error(`container log max files must be at least 2, got ${policy.maxFiles}`);
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const rotateOne = async (id: string, path: string): Promise<void> => {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      await reopen(id);
      size = (await stat(path)).size;
    }
    if (size < policy.maxSize) return;
    await rotateLog(path, { maxFiles: policy.maxFiles, reopen: () => reopen(id) });
  };
  const rotateLogs = async (): Promise<void> => {
    const containers = await runtime.listContainers({ state: 'CONTAINER_RUNNING' });
    for (const c of containers) {
      try {
        const st = await runtime.containerStatus(c.id);
        if (st.state === 'CONTAINER_RUNNING' && st.logPath) await rotateOne(c.id, st.logPath);
      } catch (err) {
        log.error({ err: (err as Error).message, container: c.id }, 'failed to rotate the log of a running container');
      }
    }
  };
  const tick = (): void => {
    running = anyLogAtLeast(logsDir, policy.maxSize)
      .then((due) => (due ? rotateLogs() : undefined))
      .catch((err) => log.error({ err: (err as Error).message }, 'container log rotation failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
  };
  const schedule = (): void => {
    timer = setTimeout(tick, policy.monitorMs);
    timer.unref();
  };
  schedule();
  return {
    rotateLogs,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
