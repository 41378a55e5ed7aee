/**
 * kube-apiserver's --encryption-provider-config: an apiserver.config.k8s.io/v1
 * EncryptionConfiguration, validated as upstream's validation_encryption.go (same field paths and
 * messages) and turned into one ordered transformer list per resource. The first provider's first
 * key encrypts new writes; every listed key (and identity, if listed) decrypts. Resources name
 * `resource` or `resource.group`; `*.group` is every resource of a group, `*.` the core group, `*.*`
 * all. Lookup precedence is upstream's: the exact resource, then its group's wildcard, then `*.*`;
 * the first rule that names a resource wins. The file is read once at start (no hot reload).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { identity, keyTransformer, type Transformer } from './providers.js';

interface KeyConfig { name?: unknown; secret?: unknown }
type ProviderConfig = Record<string, { keys?: KeyConfig[] } | null | undefined>;

/** Resources and their transformers, read side in config order; index 0 writes. */
export interface EncryptionConfig {
  /** The transformers for group ('' = core) and resource; undefined: stored as is. */
  transformersFor(group: string, resource: string): readonly Transformer[] | undefined;
  /** The resource patterns as written (`secrets`, `*.apps`), for the rewrite command and messages. */
  readonly resources: readonly string[];
}

const AES_KEY_SIZES = [16, 24, 32];
const SECRETBOX_KEY_SIZES = [32];
const PROVIDERS = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;

/** schema.ParseGroupResource: `deployments.apps` -> apps/deployments, `secrets` -> core. */
export function parseGroupResource(s: string): { group: string; resource: string } {
  const dot = s.indexOf('.');
  return dot < 0 ? { group: '', resource: s } : { group: s.slice(dot + 1), resource: s.slice(0, dot) };
}

function fail(file: string, errs: string[]): never {
  throw new Error(`error while parsing encryption provider configuration file "${file}": ${errs.join(', ')}`);
}

function validateResources(list: unknown, path: string, errs: string[]): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    errs.push(`${path}: Required value: at least one ${path} is required`);
    return [];
  }
  const out: string[] = [];
  list.forEach((r, j) => {
    const at = `${path}[${j}]`;
    if (typeof r !== 'string') return errs.push(`${at}: Invalid value: must be a string`);
    const gr = parseGroupResource(r);
    if (r.toLowerCase() !== r) errs.push(`${at}: Invalid value: "${r}": resource name should not contain capital letters`);
    else if (r === '*') errs.push(`${at}: Invalid value: "${r}": use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources`);
    else if (gr.group === 'events.k8s.io') errs.push(`${at}: Invalid value: "${r}": '*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file`);
    else if (gr.group === 'extensions') errs.push(`${at}: Invalid value: "${r}": 'extensions' group has been removed and cannot be used for encryption`);
    else if (gr.group === '*' && gr.resource !== '*') errs.push(`${at}: Invalid value: "${r}": encrypting the same resource across groups is not supported`);
    else out.push(r);
    return undefined;
  });
  if (new Set(out).size !== out.length) errs.push(`${path}: Invalid value: the same resource cannot be specified multiple times`);
  const parsed = out.map(parseGroupResource);
  const overlap = parsed.some((a, i) => parsed.some((b, j) => i !== j && (a.group === '*' || (a.group === b.group && a.resource !== b.resource && (a.resource === '*' || b.resource === '*')))));
  if (overlap) errs.push(`${path}: Invalid value: using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked`);
  return out;
}

function validateProvider(p: unknown, path: string, errs: string[]): Transformer[] {
  if (!p || typeof p !== 'object' || Array.isArray(p)) {
    errs.push(`${path}: Invalid value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity`);
    return [];
  }
  const present = PROVIDERS.filter((k) => (p as ProviderConfig)[k] !== undefined);
  const unknown = Object.keys(p).filter((k) => !(PROVIDERS as readonly string[]).includes(k));
  if (unknown.length) errs.push(`${path}: Invalid value: unknown provider field(s) ${unknown.map((k) => `"${k}"`).join(', ')}`);
  if (present.length === 0) errs.push(`${path}: Invalid value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity`);
  if (present.length > 1) errs.push(`${path}: Invalid value: more than one provider specified in a single element, should split into different list elements`);
  if (present.length !== 1) return [];
  const kind = present[0]!;
  if (kind === 'identity') return [identity];
  if (kind === 'kms') {
    errs.push(`${path}.kms: Unsupported value: bosun has no KMS plugin support; use aescbc, aesgcm or secretbox`);
    return [];
  }
  const keys = (p as ProviderConfig)[kind]?.keys;
  const keysPath = `${path}.${kind}.keys`;
  if (!Array.isArray(keys) || keys.length === 0) {
    errs.push(`${keysPath}: Required value: at least one keys is required`);
    return [];
  }
  const sizes = kind === 'secretbox' ? SECRETBOX_KEY_SIZES : AES_KEY_SIZES;
  const out: Transformer[] = [];
  keys.forEach((k: KeyConfig, i) => {
    const at = `${keysPath}[${i}]`;
    const name = typeof k?.name === 'string' ? k.name : '';
    const secret = typeof k?.secret === 'string' ? k.secret : '';
    if (!name) errs.push(`${at}.name: Required value: name is a mandatory field for a key`);
    if (!secret) return errs.push(`${at}.secret: Required value: secret is a mandatory field for a key`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secret) || secret.length % 4 !== 0) return errs.push(`${at}.secret: Invalid value: "REDACTED": secrets must be base64 encoded`);
    const bytes = Buffer.from(secret, 'base64');
    if (!sizes.includes(bytes.length)) return errs.push(`${at}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${bytes.length}, expected one of [${sizes.join(' ')}]`);
    if (name) out.push(keyTransformer(kind, name, bytes));
    return undefined;
  });
  return out;
}

/** Parses and validates the configuration text; throws one Error naming every problem. */
export function parseEncryptionConfig(text: string, file = '<config>'): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return fail(file, [`not valid YAML: ${(err as Error).message}`]);
  }
  const d = (doc ?? {}) as { apiVersion?: unknown; kind?: unknown; resources?: unknown };
  if (d.kind !== 'EncryptionConfiguration' || d.apiVersion !== 'apiserver.config.k8s.io/v1') {
    fail(file, [`got kind "${String(d.kind)}" in "${String(d.apiVersion)}", want EncryptionConfiguration in apiserver.config.k8s.io/v1`]);
  }
  const errs: string[] = [];
  if (!Array.isArray(d.resources) || d.resources.length === 0) fail(file, ['resources: Required value: at least one resources is required']);
  const exact = new Map<string, readonly Transformer[]>();
  const patterns: string[] = [];
  (d.resources as Array<{ resources?: unknown; providers?: unknown }>).forEach((rc, i) => {
    const resources = validateResources(rc?.resources, `resources[${i}].resources`, errs);
    const providersPath = `resources[${i}].providers`;
    const providers = rc?.providers;
    if (!Array.isArray(providers) || providers.length === 0) errs.push(`${providersPath}: Required value: at least one ${providersPath} is required`);
    const transformers = (Array.isArray(providers) ? providers : []).flatMap((p, j) => validateProvider(p, `${providersPath}[${j}]`, errs));
    for (const r of resources) {
      const gr = parseGroupResource(r);
      const key = `${gr.group}/${gr.resource}`;
      if (!exact.has(key)) exact.set(key, transformers); // the first rule naming a resource wins
      patterns.push(r);
    }
  });
  if (errs.length) fail(file, errs);
  return {
    resources: patterns,
    transformersFor: (group, resource) => exact.get(`${group}/${resource}`) ?? exact.get(`${group}/*`) ?? exact.get('*/*'),
  };
}

/** Reads and parses --encryption-provider-config. */
export function loadEncryptionConfig(file: string): EncryptionConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`error reading encryption provider configuration file "${file}": ${(err as Error).message}`);
  }
  return parseEncryptionConfig(text, file);
}
