/**
 * A terminal into a container: pods/exec over the API's WebSocket (v5.channel.k8s.io, v4 offered
 * too), the bearer token in the `base64url.bearer.authorization.k8s.io.` subprotocol since browsers
 * cannot set headers on a WebSocket. Frames are [channel, ...bytes]: 0 stdin, 1 stdout, 2 stderr,
 * 3 the final Status, 4 resize ({Width, Height}), 255 close (v5).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal as XTerm } from '@xterm/xterm';
import { withBearerProtocol, wsUrl } from '../api.js';
import { html } from '../html.js';
import type { Obj } from '../kube.js';

export function Terminal({ pod }: { pod: Obj }) {
  const names = ((pod.spec?.containers ?? []) as { name: string }[]).map((c) => c.name);
  const [container, setContainer] = useState(names[0] ?? '');
  const [command, setCommand] = useState('sh');
  const [session, setSession] = useState(0);
  const [state, setState] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (session === 0) return;
    const term = new XTerm({ convertEol: false, cursorBlink: true, fontSize: 13, rows: 24, cols: 100 });
    term.open(box.current!);
    const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', tty: 'true' });
    for (const part of command.trim().split(/\s+/)) q.append('command', part);
    const url = wsUrl(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods/${encodeURIComponent(pod.metadata.name)}/exec?${q}`);
    const ws = new WebSocket(url, withBearerProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io']));
    ws.binaryType = 'arraybuffer';
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const send = (channel: number, data: Uint8Array): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const f = new Uint8Array(data.length + 1);
      f[0] = channel;
      f.set(data, 1);
      ws.send(f);
    };
    const resize = (): void => send(4, enc.encode(JSON.stringify({ Width: term.cols, Height: term.rows })));
    setState('connecting');
    ws.onopen = () => {
      setState(`connected (${ws.protocol})`);
      resize();
      term.focus();
    };
    ws.onmessage = (ev) => {
      const d = new Uint8Array(ev.data as ArrayBuffer);
      if (d[0] === 1 || d[0] === 2) term.write(d.subarray(1));
      else if (d[0] === 3) {
        const st = JSON.parse(dec.decode(d.subarray(1))) as { status?: string; message?: string };
        if (st.status !== 'Success') setState(`ended: ${st.message ?? 'error'}`);
      }
    };
    ws.onclose = (ev) => setState((s) => (s.startsWith('ended') ? s : `closed${ev.reason ? `: ${ev.reason}` : ''}`));
    ws.onerror = () => setState('the connection failed (see the browser console)');
    const input = term.onData((s) => send(0, enc.encode(s)));
    const rs = term.onResize(resize);
    return () => {
      input.dispose();
      rs.dispose();
      ws.close();
      term.dispose();
    };
  }, [session]);
  return html`<section class="terminal" data-testid="terminal">
    <div class="toolbar">
      <label>Container <select value=${container} onChange=${(e: Event) => setContainer((e.target as HTMLSelectElement).value)}>${names.map((c) => html`<option value=${c}>${c}</option>`)}</select></label>
      <label>Command <input value=${command} onInput=${(e: Event) => setCommand((e.target as HTMLInputElement).value)} /></label>
      <button onClick=${() => setSession((s) => s + 1)} data-testid="connect">${session ? 'Reconnect' : 'Connect'}</button>
      <span class="muted" data-testid="terminal-state">${state}</span>
    </div>
    <div class="xterm-box" ref=${box}></div>
  </section>`;
}
