/**
 * pods/log: kube-apiserver's LogREST. Checks the pod and container, then streams the node agent's
 * /containerLogs response through as text/plain (with follow, for as long as the agent keeps it open
 * and the client stays). An agent error Status is passed on as it is. A WebSocket GET gets the same
 * stream as messages, as the apiserver's StreamObject does through wsstream.NewReader with its
 * default protocols: binary frames ("" or `binary.k8s.io`) or base64 text frames
 * (`base64.binary.k8s.io`), the socket closed when the log ends.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer } from 'ws';
import { errors, StatusError, type Status } from '../../api/status.js';
import { toStatus } from '../http/respond.js';
import type { StreamingHandler, StreamingRequest } from '../http/streaming.js';
import { readBody, type AgentClient } from './agent-client.js';
import { offeredProtocols } from './channel-frames.js';
import { containerLogsPath, resolvePodTarget } from './pod-target.js';
import { refuseUpgrade } from './upgrade-relay.js';

const BINARY = 'binary.k8s.io';
const BASE64 = 'base64.binary.k8s.io';
const logWss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(BINARY) ? BINARY : offered.has(BASE64) ? BASE64 : false) });

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
  const open = async (r: StreamingRequest, signal: AbortSignal): Promise<IncomingMessage> => {
    const target = await resolvePodTarget(r, true);
    const upstream = await agents.get(target.nodeName, containerLogsPath(target, r.query), signal);
    if (upstream.statusCode !== 200) throw await agentError(upstream);
    return upstream;
  };
  return {
    resource: 'pods',
    subresource: 'log',
    async upgrade(req, socket, head, r) {
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw errors.badRequest('pods/log upgrades only to a WebSocket');
      const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
      if (offered.length && !offered.includes(BINARY) && !offered.includes(BASE64)) throw errors.badRequest(`none of the offered WebSocket protocols is supported: ${offered.join(', ')}`);
      const abort = new AbortController();
      let upstream: IncomingMessage;
      try {
        upstream = await open(r, abort.signal);
      } catch (err) {
        return refuseUpgrade(socket, toStatus(err));
      }
      logWss.handleUpgrade(req, socket, head, (ws) => {
        const base64 = ws.protocol === BASE64;
        upstream.on('data', (chunk: Buffer) => ws.send(base64 ? chunk.toString('base64') : chunk, { binary: !base64 }));
        upstream.once('end', () => ws.close(1000));
        upstream.once('error', () => ws.close(1011));
        ws.once('close', () => {
          abort.abort();
          upstream.destroy();
        });
      });
    },
    async handle(req, res, r) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(`${req.method} is not supported on pods/log`);
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const upstream = await open(r, abort.signal);
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
