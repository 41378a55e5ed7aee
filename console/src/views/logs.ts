/**
 * A pod's log from pods/log: pick the container, the previous instance, follow (a streamed fetch:
 * lines arrive as the container writes them). Lines are appended as text nodes, never as markup.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, raw, readLines } from '../api.js';
import { html } from '../html.js';
import type { Obj } from '../kube.js';

const MAX_LINES = 5000;

export function Logs({ pod }: { pod: Obj }) {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: { name: string }) => c.name);
  const [container, setContainer] = useState<string>(pod.spec?.containers?.[0]?.name ?? '');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [error, setError] = useState('');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = pre.current!;
    el.textContent = '';
    setError('');
    const abort = new AbortController();
    const q = new URLSearchParams({ container, tailLines: '1000' });
    if (follow && !previous) q.set('follow', 'true');
    if (previous) q.set('previous', 'true');
    let pending: string[] = [];
    let frame = 0;
    const flush = (): void => {
      frame = 0;
      const stick = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
      el.append(document.createTextNode(pending.join('')));
      pending = [];
      while (el.childNodes.length > MAX_LINES) el.firstChild!.remove();
      if (stick) el.scrollTop = el.scrollHeight;
    };
    void (async () => {
      try {
        const res = await raw(`/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods/${encodeURIComponent(pod.metadata.name)}/log?${q}`, { signal: abort.signal, accept: '*/*' });
        await readLines(res, (line) => {
          pending.push(`${line}\n`);
          frame ||= requestAnimationFrame(flush);
        }, abort.signal);
      } catch (e) {
        if (!abort.signal.aborted) setError(errorText(e));
      }
    })();
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [container, follow, previous, pod.metadata.uid]);
  return html`<section class="logs" data-testid="logs">
    <div class="toolbar">
      <label>Container <select value=${container} onChange=${(e: Event) => setContainer((e.target as HTMLSelectElement).value)} data-testid="log-container">
        ${containers.map((c: string) => html`<option value=${c}>${c}</option>`)}
      </select></label>
      <label><input type="checkbox" checked=${follow} onChange=${(e: Event) => setFollow((e.target as HTMLInputElement).checked)} /> follow</label>
      <label><input type="checkbox" checked=${previous} onChange=${(e: Event) => setPrevious((e.target as HTMLInputElement).checked)} data-testid="log-previous" /> previous</label>
      ${error ? html`<span class="error" role="alert">${error}</span>` : null}
    </div>
    <pre class="code log" ref=${pre} data-testid="log-text"></pre>
  </section>`;
}
