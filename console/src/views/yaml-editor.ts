/**
 * The object as YAML, editable, applied with server-side apply (PATCH application/apply-patch+yaml,
 * fieldManager=console, fieldValidation=Strict, force as `kubectl apply --server-side
 * --force-conflicts`). The server validates; its Status (message and the fields it names) shows
 * in place. Status, managedFields and the other server-owned metadata are left out of the text.
 */
import { useState } from 'preact/hooks';
import { stringify } from 'yaml';
import { ApiError, errorText, request } from '../api.js';
import { html } from '../html.js';
import type { Obj } from '../kube.js';
import { objectPath, type ResourceDef } from '../resources.js';

export function editable(o: Obj): Obj {
  const c = structuredClone(o);
  delete c.status;
  const m = c.metadata as unknown as Record<string, unknown>;
  for (const k of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink']) delete m[k];
  return c;
}

export function YamlEditor({ def, obj }: { def: ResourceDef; obj: Obj }) {
  const [text, setText] = useState(() => stringify(editable(obj)));
  const [result, setResult] = useState<{ ok: boolean; text: string; causes?: string[] } | undefined>();
  const [busy, setBusy] = useState(false);
  const apply = async (): Promise<void> => {
    setBusy(true);
    setResult(undefined);
    try {
      const q = new URLSearchParams({ fieldManager: 'console', fieldValidation: 'Strict', force: 'true' });
      const out = await request<Obj>(`${objectPath(def, obj.metadata.namespace, obj.metadata.name)}?${q}`, { method: 'PATCH', body: text, contentType: 'application/apply-patch+yaml' });
      setResult({ ok: true, text: `applied (resourceVersion ${out.metadata.resourceVersion})` });
    } catch (e) {
      const causes = e instanceof ApiError ? (e.status.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? c.reason ?? ''}`) : [];
      setResult({ ok: false, text: errorText(e), causes });
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="yaml" data-testid="yaml">
    <div class="toolbar">
      <button onClick=${() => void apply()} disabled=${busy} data-testid="apply">Apply (server-side)</button>
      <button onClick=${() => { setText(stringify(editable(obj))); setResult(undefined); }}>Reload from server</button>
      ${result ? html`<span class=${result.ok ? 'ok-msg' : 'error'} role="status" data-testid="apply-result">${result.text}</span>` : null}
    </div>
    ${result?.causes?.length ? html`<ul class="causes">${result.causes.map((c) => html`<li>${c}</li>`)}</ul>` : null}
    <textarea class="code" spellcheck=${false} value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} data-testid="yaml-text" aria-label="YAML"></textarea>
  </section>`;
}
