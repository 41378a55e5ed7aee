/** The frame: navigation, namespace pick, sign out, the routed page and the keyboard help. */
import { useEffect, useState } from 'preact/hooks';
import { getToken, onUnauthorized, setToken } from '../api.js';
import { useLive } from '../hooks.js';
import { html } from '../html.js';
import { GOTO, installKeyboard, setHelpToggle } from '../keyboard.js';
import { releaseAll } from '../live-list.js';
import { RESOURCES } from '../resources.js';
import { listHref, useRoute } from '../router.js';
import { DetailPage } from './detail-page.js';
import { ListPage } from './list-page.js';
import { Overview } from './overview.js';
import { SignIn } from './signin.js';

const NAV: [string, string[]][] = [
  ['Workloads', ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs']],
  ['Pods', ['pods']],
  ['Network', ['services', 'ingresses', 'endpointslices']],
  ['Config', ['configmaps', 'secrets']],
  ['Storage', ['persistentvolumeclaims', 'persistentvolumes', 'storageclasses']],
  ['Cluster', ['nodes', 'namespaces', 'events']],
];
const label = (plural: string): string => {
  const words = RESOURCES.find((r) => r.plural === plural)!.kind.replace(/([a-z])([A-Z])/g, '$1 $2');
  return /(s|ss)$/.test(words) ? `${words}es` : `${words}s`;
};

export function App() {
  const [signedIn, setSignedIn] = useState(!!getToken());
  const [reason, setReason] = useState<string | undefined>();
  useEffect(() => onUnauthorized(() => {
    setToken(undefined);
    releaseAll();
    setReason('The server no longer accepts this token (401): sign in again.');
    setSignedIn(false);
  }), []);
  if (!signedIn) return html`<${SignIn} reason=${reason} onSignedIn=${() => setSignedIn(true)} />`;
  return html`<${Shell} onSignOut=${() => {
    setToken(undefined);
    releaseAll();
    setReason(undefined);
    setSignedIn(false);
  }} />`;
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const [help, setHelp] = useState(false);
  const [namespace, setNamespace] = useState(sessionStorage.getItem('bosun.console.ns') ?? '');
  useEffect(() => installKeyboard(), []);
  useEffect(() => {
    setHelpToggle(() => setHelp((h) => !h));
    return () => setHelpToggle(undefined);
  }, []);
  const pickNamespace = (ns: string): void => {
    sessionStorage.setItem('bosun.console.ns', ns);
    setNamespace(ns);
  };
  const current = route.page === 'overview' ? 'overview' : route.plural;
  return html`<div class="shell">
    <nav class="side" aria-label="Resources">
      <a class=${`brand ${current === 'overview' ? 'active' : ''}`} href="#/overview">Bosun</a>
      ${NAV.map(([section, plurals]) => html`<div class="section">
        <div class="section-title">${section}</div>
        ${plurals.map((p) => html`<a href=${listHref(p)} class=${current === p ? 'active' : ''}>${label(p)}</a>`)}
      </div>`)}
    </nav>
    <div class="main">
      <header class="top">
        <${NamespacePick} value=${namespace} onChange=${pickNamespace} />
        <span class="spacer"></span>
        <button class="link" onClick=${() => setHelp(!help)} title="Keyboard (?)">?</button>
        <button class="link" onClick=${onSignOut}>Sign out</button>
      </header>
      <main class="page">
        ${route.page === 'overview' ? html`<${Overview} namespace=${namespace} />`
          : route.page === 'list' ? html`<${ListPage} key=${route.plural} plural=${route.plural!} namespace=${route.query.get('ns') ?? namespace} route=${route} />`
          : html`<${DetailPage} key=${`${route.plural}/${route.namespace}/${route.name}`} route=${route} />`}
      </main>
    </div>
    ${help ? html`<${Help} onClose=${() => setHelp(false)} />` : null}
  </div>`;
}

function NamespacePick({ value, onChange }: { value: string; onChange: (ns: string) => void }) {
  const list = useLive('namespaces');
  const names = list.sorted().map((n) => n.metadata.name);
  if (value && !names.includes(value)) names.unshift(value);
  return html`<label class="nspick">Namespace
    <select value=${value} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value)} data-testid="namespace">
      <option value="">all namespaces</option>
      ${names.map((n) => html`<option value=${n}>${n}</option>`)}
    </select>
  </label>`;
}

function Help({ onClose }: { onClose: () => void }) {
  return html`<div class="help" role="dialog" aria-label="Keyboard" onClick=${onClose}>
    <div class="help-box">
      <h2>Keyboard</h2>
      <dl>
        <dt>/</dt><dd>filter the list</dd>
        <dt>j / k</dt><dd>next / previous row</dd>
        <dt>Enter</dt><dd>open the selected row</dd>
        <dt>y l x m</dt><dd>YAML, logs, terminal, metrics tab of an object</dd>
        <dt>Esc</dt><dd>leave a text field</dd>
        ${Object.entries(GOTO).map(([k, [, what]]) => html`<dt>g ${k}</dt><dd>${what}</dd>`)}
      </dl>
    </div>
  </div>`;
}
