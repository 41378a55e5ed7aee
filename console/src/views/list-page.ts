/**
 * A list of one kind: filters by namespace, label selector and status/name text, live from the
 * shared watch, and only the rows in view rendered (fixed row height), so 10,000 pods cost what 40
 * do. j/k move the selection, Enter opens it.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLive } from '../hooks.js';
import { html } from '../html.js';
import { setListNav } from '../keyboard.js';
import { labelFilter, type Obj } from '../kube.js';
import { byPlural, type ResourceDef } from '../resources.js';
import { go, objectHref, type Route } from '../router.js';

const ROW = 28;
const OVERSCAN = 10;

export function ListPage({ plural, namespace, route }: { plural: string; namespace: string; route: Route }) {
  const def = byPlural.get(plural);
  if (!def) return html`<p class="error">Unknown resource ${plural}</p>`;
  return html`<${List} def=${def} namespace=${namespace} route=${route} />`;
}

function List({ def, namespace, route }: { def: ResourceDef; namespace: string; route: Route }) {
  const list = useLive(def.plural, def.namespaced ? namespace : '');
  const [text, setText] = useState(route.query.get('s') ?? '');
  const [labels, setLabels] = useState(route.query.get('l') ?? '');
  const [health, setHealth] = useState(route.query.get('h') ?? '');
  const [selected, setSelected] = useState(0);
  const [scroll, setScroll] = useState({ top: 0, height: 800 });
  const box = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const byLabel = labels.trim() ? labelFilter(labels) : undefined;
    const needle = text.trim().toLowerCase();
    return list.sorted().filter((o) => {
      if (def.namespaced && namespace && o.metadata.namespace !== namespace) return false;
      if (byLabel && !byLabel(o.metadata.labels)) return false;
      if (!needle && !health) return true;
      const st = def.status(o);
      if (health && st.health !== health) return false;
      return !needle || o.metadata.name.toLowerCase().includes(needle) || st.text.toLowerCase().includes(needle) || (o.metadata.namespace ?? '').includes(needle);
    });
  }, [list.version, list, text, labels, health, namespace, def]);

  const open = (o: Obj | undefined): void => {
    if (o) go(objectHref(def.plural, o.metadata.namespace, o.metadata.name));
  };
  useEffect(() => {
    setListNav((k) => {
      setSelected((s) => {
        const n = k === 'j' ? Math.min(rows.length - 1, s + 1) : k === 'k' ? Math.max(0, s - 1) : k === 'G' ? rows.length - 1 : s;
        if (k === 'Enter') open(rows[s]);
        const el = box.current;
        if (el && (n * ROW < el.scrollTop || (n + 1) * ROW > el.scrollTop + el.clientHeight)) el.scrollTop = Math.max(0, n * ROW - el.clientHeight / 2);
        return n;
      });
    });
    return () => setListNav(undefined);
  }, [rows]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = (): void => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    addEventListener('resize', measure);
    return () => {
      el.removeEventListener('scroll', measure);
      removeEventListener('resize', measure);
    };
  }, []);

  const showNs = def.namespaced && !namespace;
  const first = Math.max(0, Math.floor(scroll.top / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scroll.top + scroll.height) / ROW) + OVERSCAN);
  const cols = [...(showNs ? ['Namespace'] : []), 'Name', 'Status', ...def.columns.map((c) => c.title)];
  const grid = `grid-template-columns: ${showNs ? 'minmax(8em,1fr) ' : ''}minmax(12em,2fr) minmax(7em,1fr) ${def.columns.map(() => 'minmax(5em,1fr)').join(' ')}`;
  return html`<section class="list" data-testid=${`list-${def.plural}`}>
    <div class="toolbar">
      <h1>${def.kind}s</h1>
      <span class="count" data-testid="count">${list.synced ? `${rows.length} of ${list.items.size}` : `loading… ${list.items.size}`}</span>
      <input data-filter placeholder="filter name/status  (/)" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} aria-label="Filter" />
      <input placeholder="labels: app=web,tier!=db" value=${labels} onInput=${(e: Event) => setLabels((e.target as HTMLInputElement).value)} aria-label="Label selector" data-testid="label-filter" />
      <select value=${health} onChange=${(e: Event) => setHealth((e.target as HTMLSelectElement).value)} aria-label="Status">
        <option value="">any status</option><option value="ok">healthy</option><option value="warn">progressing</option><option value="bad">failing</option><option value="idle">idle</option>
      </select>
    </div>
    ${list.error ? html`<p class="error" role="alert">${list.error}</p>` : null}
    <div class="thead" style=${grid}>${cols.map((c) => html`<div>${c}</div>`)}</div>
    <div class="tbody" ref=${box}>
      <div style=${`height:${rows.length * ROW}px;position:relative`}>
        ${rows.slice(first, last).map((o, i) => {
          const idx = first + i;
          const st = def.status(o);
          return html`<a class=${`row ${idx === selected ? 'selected' : ''}`} style=${`${grid};top:${idx * ROW}px`} href=${objectHref(def.plural, o.metadata.namespace, o.metadata.name)} data-name=${o.metadata.name} key=${o.metadata.uid ?? o.metadata.name}>
            ${showNs ? html`<div>${o.metadata.namespace}</div>` : null}
            <div class="name">${o.metadata.name}</div>
            <div><span class=${`badge ${st.health}`}>${st.text}</span></div>
            ${def.columns.map((c) => html`<div>${c.value(o)}</div>`)}
          </a>`;
        })}
      </div>
    </div>
  </section>`;
}
