/**
 * GET /containerLogs/{namespace}/{pod}/{container}: kubelet's log endpoint, with the query the API
 * server forwards from pods/log (follow, previous, timestamps, tailLines, limitBytes, sinceSeconds,
 * sinceTime). Answers text/plain; with follow the response stays open while the container runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { queryBool } from '../../api/query-params.js';
import { failure } from '../../api/status.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { currentContainer, findContainer, previousLogPath, type PodLookup } from './container-lookup.js';
import { streamLogFile, type LogReadOptions } from './log-file-reader.js';

export interface LogQuery extends LogReadOptions {
  previous: boolean;
}

/** kubelet decodes PodLogOptions with apimachinery's conversions: `follow=True` follows. */
const isTrue = (q: URLSearchParams, name: string): boolean => queryBool(q, name) ?? false;

function nonNegativeInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw failure(400, 'BadRequest', `${name}: invalid value ${JSON.stringify(v)}: must be a non-negative integer`);
  return n;
}

/** Parses the log query; `now` is injectable for tests of sinceSeconds. */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery {
  const sinceSeconds = nonNegativeInt(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  let sinceMillis: number | undefined;
  if (sinceSeconds !== undefined) sinceMillis = now - sinceSeconds * 1000;
  else if (sinceTime) {
    sinceMillis = Date.parse(sinceTime);
    if (Number.isNaN(sinceMillis)) throw failure(400, 'BadRequest', `sinceTime: invalid value ${JSON.stringify(sinceTime)}`);
  }
  return {
    follow: isTrue(q, 'follow'),
    previous: isTrue(q, 'previous'),
    timestamps: isTrue(q, 'timestamps'),
    tailLines: nonNegativeInt(q, 'tailLines'),
    limitBytes: nonNegativeInt(q, 'limitBytes'),
    sinceMillis,
  };
}

export async function serveContainerLogs(
  runtime: ContainerRuntime, lookup: PodLookup, req: IncomingMessage, res: ServerResponse,
  ns: string, pod: string, container: string, q: URLSearchParams,
): Promise<void> {
  const opts = parseLogQuery(q);
  const found = await findContainer(runtime, lookup, ns, pod, container);
  let path: string;
  let running: () => Promise<boolean>;
  if (opts.previous) {
    path = await previousLogPath(runtime, found, container, pod);
    running = async () => false; // a previous instance has ended: never follow it
  } else {
    const st = await currentContainer(runtime, found, container, pod);
    path = st.logPath;
    running = async () => {
      try {
        return (await runtime.containerStatus(st.id)).state === 'CONTAINER_RUNNING';
      } catch {
        return false;
      }
    };
  }
  if (!path) throw failure(400, 'BadRequest', `container "${container}" in pod "${pod}" has no log file`);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  req.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Cache-Control', 'no-cache');
  try {
    // With follow the client waits for the headers before anything is logged: send them once the
    // file is open (an error before that still becomes a Status).
    await streamLogFile(path, opts, res, { stillRunning: running, signal: abort.signal, onOpen: () => opts.follow && res.flushHeaders() });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !res.headersSent) {
      throw failure(400, 'BadRequest', `log file for container "${container}" in pod "${pod}" not found`);
    }
    throw err;
  }
  res.end();
}
