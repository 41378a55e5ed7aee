/**
 * pods/exec and pods/attach. kubectl 1.31+ asks for a WebSocket with `v5.channel.k8s.io`; container
 * runtimes speak only up to v4, and over WebSocket v4 cannot half-close stdin. So, as kube-apiserver's
 * StreamTranslatorProxy, the API server terminates the v5 WebSocket and talks SPDY/3.1 with
 * `v4.channel.k8s.io` to the node (agent, then runtime), one SPDY stream per channel:
 *   ws [0] stdin  -> stream "stdin" (the v5 close signal [255,0] becomes FIN)
 *   ws [4] resize -> stream "resize"
 *   stream "stdout"/"stderr"/"error" -> ws [1]/[2]/[3] (error carries the final metav1.Status)
 * Any other upgrade (plain SPDY, older WebSocket protocols) is relayed to the node unchanged.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { queryBool } from '../../api/query-params.js';
import { errors } from '../../api/status.js';
import type { StreamingHandler, StreamingRequest } from '../http/streaming.js';
import { toStatus } from '../http/respond.js';
import type { AgentClient } from './agent-client.js';
import { Channel, decodeChannelMessage, encodeChannelData, offeredProtocols, V5_PROTOCOL } from './channel-frames.js';
import { agentError } from './pod-logs.js';
import { attachPath, execPath, parseExecParams, parseStdioParams, resolvePodTarget, withAdmittedOptions, type PodTarget, type StdioParams } from './pod-target.js';
import { SpdyClientSession, type SpdyStream } from './spdy/client-session.js';
import { refuseUpgrade, relayToAgent } from './upgrade-relay.js';
import { throttleTowards } from './ws-backpressure.js';

const V4_PROTOCOL = 'v4.channel.k8s.io';

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => (offered.has(V5_PROTOCOL) ? V5_PROTOCOL : false) });

export function wantsV5(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket' && offeredProtocols(req.headers['sec-websocket-protocol']).includes(V5_PROTOCOL);
}

export function podExecHandler(agents: AgentClient): StreamingHandler {
  return {
    ...remoteCommandHandler(agents, 'exec', (r) => {
      const p = parseExecParams(r.query);
      return { params: p, path: (t) => execPath(t, p) };
    }),
    connectOptions: (r) => ({ kind: 'PodExecOptions', apiVersion: 'v1', ...stdioOptions(r), command: r.query.getAll('command') }),
  };
}

/** pods/attach: the same protocols, to the container's main process instead of a new one. */
export function podAttachHandler(agents: AgentClient): StreamingHandler {
  return {
    ...remoteCommandHandler(agents, 'attach', (r) => {
      const p = parseStdioParams(r.query);
      return { params: p, path: (t) => attachPath(t, p) };
    }),
    connectOptions: (r) => ({ kind: 'PodAttachOptions', apiVersion: 'v1', ...stdioOptions(r) }),
  };
}

/** The stdio fields of PodAttachOptions/PodExecOptions as v1 encodes them (false and empty omitted). */
function stdioOptions(r: StreamingRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['stdin', 'stdout', 'stderr', 'tty']) if (queryBool(r.query, k)) out[k] = true;
  const container = r.query.get('container');
  if (container) out.container = container;
  return out;
}

function remoteCommandHandler(
  agents: AgentClient, subresource: 'exec' | 'attach',
  parse: (r: StreamingRequest) => { params: StdioParams; path: (t: PodTarget) => string },
): StreamingHandler {
  return {
    resource: 'pods',
    subresource,
    async upgrade(req, socket, head, sent) {
      const r = withAdmittedOptions(sent);
      const target = await resolvePodTarget(r, true);
      const { params, path: pathOf } = parse(r);
      if (target.phase === 'Succeeded' || target.phase === 'Failed') {
        throw errors.badRequest(`cannot ${subresource} ${subresource === 'exec' ? 'into' : 'to'} a container in a completed pod; current phase is ${target.phase}`);
      }
      const path = pathOf(target);
      if (!wantsV5(req)) return relayToAgent(agents, target.nodeName, path, req, socket, head);
      const up = await agents.upgrade(target.nodeName, 'POST', path, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': V4_PROTOCOL });
      if (!up.upgraded) return refuseUpgrade(socket, toStatus(await agentError(up.res)));
      const negotiated = up.res.headers['x-stream-protocol-version'];
      if (negotiated !== V4_PROTOCOL) {
        up.socket.destroy();
        return refuseUpgrade(socket, errors.internal(`the node's runtime does not speak ${V4_PROTOCOL} (it chose ${String(negotiated)})`).status);
      }
      wss.handleUpgrade(req, socket, head, (ws) => bridgeExec(ws, new SpdyClientSession(up.socket, up.head), params));
    },
  };
}

/** Couples a v5 WebSocket to a v4 SPDY session until either side ends. */
export function bridgeExec(ws: WebSocket, session: SpdyClientSession, p: StdioParams): void {
  const open = (type: string): SpdyStream => session.openStream([['streamtype', type]]);
  // kubelet waits for exactly the streams the exec's flags call for; the error stream comes first.
  const error = open('error');
  const stdin = p.stdin ? open('stdin') : undefined;
  const stdout = p.stdout ? open('stdout') : undefined;
  const stderr = p.stderr && !p.tty ? open('stderr') : undefined;
  const resize = p.tty ? open('resize') : undefined;

  const throttle = throttleTowards(ws, session);
  const forward = (s: SpdyStream | undefined, channel: number): void => {
    s?.on('data', (d: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encodeChannelData(channel, d), { binary: true });
      throttle();
    });
  };
  forward(stdout, Channel.STDOUT);
  forward(stderr, Channel.STDERR);
  forward(error, Channel.ERROR);

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const m = decodeChannelMessage(Buffer.isBuffer(data) ? data : Buffer.from(data));
    if (!m) return;
    const s = m.channel === Channel.STDIN ? stdin : m.channel === Channel.RESIZE ? resize : undefined;
    if (m.kind === 'close') s?.end();
    else if (m.data.length > 0) s?.write(m.data);
  });
  // The runtime closes the connection once the command has ended and its status is written.
  session.once('close', () => {
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
  session.once('error', () => {
    if (ws.readyState === ws.OPEN) ws.close(1011, 'node stream failed');
  });
  ws.once('close', () => session.destroy());
  ws.once('error', () => session.destroy());
}
