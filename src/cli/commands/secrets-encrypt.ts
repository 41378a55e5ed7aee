/**
 * `bosun secrets-encrypt reencrypt` (k3s's command name): rewrites every object of the encrypted
 * resources through the API, unchanged, so the API server stores each under the current first key
 * of its EncryptionConfiguration. This is upstream's recipe (`kubectl get secrets -A -o json |
 * kubectl replace -f -`) as one command: the server rewrites an unchanged object only when it was
 * read with an older key (storage/update.ts, "stale"), so objects already under the current key
 * cost a read and no write. An object changed or deleted meanwhile is skipped: whoever wrote it
 * wrote it under the current key. Resources are `resource[.group]` patterns as in the config file
 * (`secrets`, `configmaps`, `*.apps`, `*.`, `*.*`), found through discovery (custom resources too).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR } from '../../api/defaults.js';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { KubeClient } from '../../client/index.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { loadEncryptionConfig, parseGroupResource } from '../../apiserver/encryption/config.js';

interface ApiResource { name: string; namespaced: boolean; kind: string; verbs: string[] }
interface ApiResourceList { resources: ApiResource[] }
interface ApiGroup { name: string; preferredVersion?: { groupVersion: string; version: string } }

export interface ReencryptResult {
  /** Per resource (`secrets`, `deployments.apps`): objects rewritten, and objects already under the current key or changed meanwhile. */
  resources: Array<{ resource: string; rewritten: number; unchanged: number }>;
}

async function groupRefs(client: KubeClient, group: string): Promise<Array<ResourceRef & { kind: string }>> {
  let gv: string;
  if (group === '') gv = 'v1';
  else {
    const g = await client.raw<ApiGroup>('GET', `/apis/${group}`).catch((err: unknown) => {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    });
    if (!g?.preferredVersion) return [];
    gv = g.preferredVersion.groupVersion;
  }
  const list = await client.raw<ApiResourceList>('GET', group === '' ? '/api/v1' : `/apis/${gv}`);
  const version = gv.includes('/') ? gv.slice(gv.indexOf('/') + 1) : gv;
  return list.resources
    .filter((r) => !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('update'))
    .map((r) => ({ group, version, resource: r.name, namespaced: r.namespaced, kind: r.kind }));
}

/** The served resources matching the patterns, each once. */
export async function resolveResources(client: KubeClient, patterns: readonly string[]): Promise<Array<ResourceRef & { kind: string }>> {
  const parsed = patterns.map(parseGroupResource);
  const groups = new Set<string>();
  for (const p of parsed) {
    if (p.group !== '*') groups.add(p.group);
    else {
      groups.add('');
      for (const g of (await client.raw<{ groups: ApiGroup[] }>('GET', '/apis')).groups) groups.add(g.name);
    }
  }
  const out: Array<ResourceRef & { kind: string }> = [];
  for (const g of groups) {
    for (const ref of await groupRefs(client, g)) {
      if (parsed.some((p) => (p.group === '*' || p.group === g) && (p.resource === '*' || p.resource === ref.resource))) out.push(ref);
    }
  }
  return out;
}

function skippable(err: unknown): boolean {
  return err instanceof StatusError && (err.code === 404 || err.code === 409);
}

/** Rewrites every object of the resources; `log` gets one line per resource. */
export async function reencrypt(client: KubeClient, patterns: readonly string[], log: (line: string) => void = () => {}): Promise<ReencryptResult> {
  const result: ReencryptResult = { resources: [] };
  for (const ref of await resolveResources(client, patterns)) {
    const name = ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
    const apiVersion = ref.group ? `${ref.group}/${ref.version}` : ref.version;
    const list = await client.listAll<KubeObject>(ref, undefined);
    let rewritten = 0;
    let unchanged = 0;
    for (const item of list.items) {
      try {
        const written = await client.update(ref, item.metadata.namespace, { ...item, apiVersion, kind: ref.kind });
        if (written.metadata.resourceVersion !== item.metadata.resourceVersion) rewritten++;
        else unchanged++;
      } catch (err) {
        if (!skippable(err)) throw err;
        unchanged++;
      }
    }
    log(`${name}: ${rewritten} rewritten, ${unchanged} already under the current key`);
    result.resources.push({ resource: name, rewritten, unchanged });
  }
  return result;
}

interface ReencryptOptions { dataDir: string; kubeconfig?: string; resources?: string; encryptionProviderConfig?: string }

export function registerSecretsEncryptCommand(program: Command): void {
  const cmd = program.command('secrets-encrypt').description('encryption at rest: re-encrypt stored objects after a key rotation');
  cmd
    .command('reencrypt')
    .description('rewrite every object of the encrypted resources so it is stored under the current first key (upstream\'s `kubectl replace` recipe)')
    .option('--data-dir <dir>', 'the server\'s data dir (its admin kubeconfig is used)', DEFAULT_DATA_DIR)
    .option('--kubeconfig <path>', 'kubeconfig of an administrator (default DATA_DIR/kubeconfig.yaml)')
    .option('--encryption-provider-config <path>', 'take the resources from this EncryptionConfiguration (the server\'s)')
    .option('--resources <list>', 'comma-separated resource[.group] patterns (default: secrets)')
    .action(async (o: ReencryptOptions) => {
      const patterns = o.resources ? o.resources.split(',').map((s) => s.trim()).filter(Boolean)
        : o.encryptionProviderConfig ? [...loadEncryptionConfig(o.encryptionProviderConfig).resources] : ['secrets'];
      const client = KubeClient.fromKubeconfig(o.kubeconfig ?? join(o.dataDir, 'kubeconfig.yaml'), { userAgent: 'bosun-secrets-encrypt' });
      try {
        await reencrypt(client, patterns, (line) => process.stdout.write(`${line}\n`));
      } finally {
        client.close();
      }
    });
}
