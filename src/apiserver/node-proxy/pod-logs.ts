/**
 * pods/log: kube-apiserver's LogREST. Checks the pod and container, then streams the node agent's
 * /containerLogs response through as text/plain (with follow, for as long as the agent keeps it open
 * and the client stays). An agent error Status is passed on as it is.
 */
import type { IncomingMessage } from 'node:http';
import { errors, StatusError, type Status } from '../../api/status.js';
import type { StreamingHandler } from '../http/streaming.js';
import { readBody, type AgentClient } from './agent-client.js';
import { containerLogsPath, resolvePodTarget } from './pod-target.js';

/** The agent's error answer as a StatusError (its Status when it sent one). */
export async function agentError(res: IncomingMessage): Promise<StatusError> {
  const body = await readBody(res);
  try {
    const st = JSON.parse(body) as Status;
    if (st?.kind === 'Status' && typeof st.code === 'number') return new StatusError(st);
  } catch {
    /* not a Status */
  }
  const code = res.statusCode ?? 500;
  const msg = body.trim() || `the node agent answered ${code}`;
  return code >= 400 && code < 500 ? errors.badRequest(msg) : errors.internal(msg);
}

export function podLogHandler(agents: AgentClient): StreamingHandler {
  return {
    resource: 'pods',
    subresource: 'log',
    async handle(req, res, r) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(`${req.method} is not supported on pods/log`);
      const target = await resolvePodTarget(r, true);
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const upstream = await agents.get(target.nodeName, containerLogsPath(target, r.query), abort.signal);
      if (upstream.statusCode !== 200) throw await agentError(upstream);
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
      res.flushHeaders();
      if (req.method === 'HEAD') {
        upstream.destroy();
        res.end();
        return;
      }
      await new Promise<void>((resolve) => {
        upstream.pipe(res);
        upstream.once('end', resolve);
        upstream.once('error', () => {
          res.destroy();
          resolve();
        });
        upstream.once('close', resolve);
        res.once('close', () => {
          upstream.destroy();
          resolve();
        });
      });
    },
  };
}
