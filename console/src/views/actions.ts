/**
 * Actions on an object, each the request kubectl makes for it: scale (PATCH .../scale), rollout
 * restart (the restartedAt template annotation), rollout undo (a Deployment's template back from
 * its previous ReplicaSet, as kubectl's rollback), delete, cordon/uncordon, drain (cordon, then the
 * eviction API for every pod not owned by a DaemonSet). The server's answer, error or not, is shown
 * in place.
 */
import { useState } from 'preact/hooks';
import { ApiError, errorText, json, request } from '../api.js';
import { html } from '../html.js';
import type { List, Obj } from '../kube.js';
import { collectionPath, objectPath, type ResourceDef } from '../resources.js';
import { go, listHref } from '../router.js';

const MERGE = 'application/merge-patch+json';

export function Actions({ def, obj }: { def: ResourceDef; obj: Obj }) {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [replicas, setReplicas] = useState(String(obj.spec?.replicas ?? 1));
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name;
  const run = async (what: string, f: () => Promise<string | void>): Promise<void> => {
    setBusy(true);
    setMsg(undefined);
    try {
      setMsg({ ok: true, text: (await f()) || `${what}: done` });
    } catch (e) {
      setMsg({ ok: false, text: `${what}: ${errorText(e)}` });
    } finally {
      setBusy(false);
    }
  };
  const scalable = ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(def.kind);
  const restartable = ['Deployment', 'StatefulSet', 'DaemonSet'].includes(def.kind);
  const scale = (e: Event): void => {
    e.preventDefault();
    void run('scale', async () => {
      const n = Number(replicas);
      await json(objectPath(def, ns, name, 'scale'), 'PATCH', { spec: { replicas: n } }, MERGE);
      return `scaled to ${n}`;
    });
  };
  const restart = (): void => void run('restart', async () => {
    await json(objectPath(def, ns, name), 'PATCH', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } }, MERGE);
    return 'restarted';
  });
  return html`<div class="actions" data-testid="actions">
    ${scalable ? html`<form class="inline" onSubmit=${scale}>
      <label>Replicas <input type="number" min="0" value=${replicas} onInput=${(e: Event) => setReplicas((e.target as HTMLInputElement).value)} data-testid="replicas" /></label>
      <button type="submit" disabled=${busy} data-testid="scale">Scale</button>
    </form>` : null}
    ${restartable ? html`<button onClick=${restart} disabled=${busy} data-testid="restart">Restart</button>` : null}
    ${def.kind === 'Deployment' ? html`<button onClick=${() => void run('undo', () => undo(def, obj))} disabled=${busy} data-testid="undo">Undo rollout</button>` : null}
    ${def.kind === 'Node' ? html`
      <button onClick=${() => void run(obj.spec?.unschedulable ? 'uncordon' : 'cordon', () => cordon(def, obj, !obj.spec?.unschedulable))} disabled=${busy} data-testid="cordon">${obj.spec?.unschedulable ? 'Uncordon' : 'Cordon'}</button>
      <button onClick=${() => void run('drain', () => drain(def, obj))} disabled=${busy} data-testid="drain">Drain</button>` : null}
    ${confirmDelete
      ? html`<button class="danger" onClick=${() => void run('delete', async () => {
          await json(objectPath(def, ns, name), 'DELETE', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
          go(listHref(def.plural));
        })} data-testid="confirm-delete">Really delete ${name}?</button><button onClick=${() => setConfirmDelete(false)}>Keep</button>`
      : html`<button class="danger" onClick=${() => setConfirmDelete(true)} data-testid="delete">Delete</button>`}
    ${msg ? html`<span class=${msg.ok ? 'ok-msg' : 'error'} role="status" data-testid="action-result">${msg.text}</span>` : null}
  </div>`;
}

/**
 * As kubectl rollout undo: the ReplicaSet of the highest revision below the current one gives its
 * template back. The Deployment is read fresh (the page's copy may lag behind the watch, and its
 * status changes throughout a rollout), and the patch is guarded by a `test` of that read's
 * resourceVersion, retried from a fresh read when the object moved in between (409, or 422 from
 * the failed test; up to 10 times, waiting 100 ms more each time), so an undo never applies a
 * template chosen from an outdated revision.
 */
async function undo(def: ResourceDef, d: Obj): Promise<string> {
  const ns = d.metadata.namespace!;
  const rsDef = { ...def, plural: 'replicasets', kind: 'ReplicaSet' };
  const rev = (o: Obj): number => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  for (let attempt = 1; ; attempt++) {
    const fresh = await request<Obj>(objectPath(def, ns, d.metadata.name));
    const all = await request<List>(`${collectionPath(rsDef, ns)}`);
    const mine = all.items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === fresh.metadata.uid));
    const current = rev(fresh);
    const previous = mine.filter((rs) => rev(rs) < current).sort((a, b) => rev(b) - rev(a))[0];
    if (!previous) throw new Error('no rollout history found (no earlier revision)');
    const template = structuredClone(previous.spec.template) as { metadata?: { labels?: Record<string, string> } };
    delete template.metadata?.labels?.['pod-template-hash'];
    try {
      await json(objectPath(def, ns, d.metadata.name), 'PATCH', [
        { op: 'test', path: '/metadata/resourceVersion', value: fresh.metadata.resourceVersion },
        { op: 'replace', path: '/spec/template', value: template },
      ], 'application/json-patch+json');
      return `rolled back to revision ${rev(previous)}`;
    } catch (e) {
      if (attempt >= 10 || !(e instanceof ApiError) || (e.code !== 409 && e.code !== 422)) throw e;
      // The controller is still writing the Deployment's status (a rollout's last steps): wait a
      // little before reading again rather than racing it five times in a row.
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function cordon(def: ResourceDef, node: Obj, on: boolean): Promise<string> {
  await json(objectPath(def, undefined, node.metadata.name), 'PATCH', { spec: { unschedulable: on ? true : null } }, MERGE);
  return on ? 'cordoned' : 'uncordoned';
}

/** As kubectl drain: cordon, then evict every pod on the node except DaemonSet and mirror pods. */
async function drain(def: ResourceDef, node: Obj): Promise<string> {
  await cordon(def, node, true);
  const pods = await request<List>(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node.metadata.name}`)}`);
  const victims = pods.items.filter((p) => !p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet') && !p.metadata.annotations?.['kubernetes.io/config.mirror'] && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const refused: string[] = [];
  for (const p of victims) {
    try {
      await json(`/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace!)}/pods/${encodeURIComponent(p.metadata.name)}/eviction`, 'POST', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: p.metadata.namespace } });
    } catch (e) {
      refused.push(`${p.metadata.namespace}/${p.metadata.name}: ${errorText(e)}`);
    }
  }
  if (refused.length) throw new Error(`cordoned; ${victims.length - refused.length} of ${victims.length} pods evicted; refused: ${refused.join('; ')}`);
  return `cordoned and evicted ${victims.length} pods`;
}
