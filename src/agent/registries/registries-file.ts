/**
 * The registries file of `bosun server` / `bosun agent` (--registries, default
 * /etc/bosun/registries.yaml when present), in k3s's registries.yaml format
 * (docs.k3s.io/installation/private-registry):
 *
 *   mirrors:
 *     docker.io:                       # a registry as image names spell it ("*": every registry)
 *       endpoint: [https://mirror.example:5000, http://127.0.0.1:5001]
 *   configs:
 *     mirror.example:5000:             # an endpoint's (or registry's) host:port
 *       auth: {username: u, password: p}         # or auth: base64(u:p), identity_token
 *       tls: {ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem, insecure_skip_verify: false}
 *
 * turned into containerd's certs.d hosts.toml files (endpoints tried in order, then the registry
 * itself, as k3s does) and CRI registry credentials. `rewrite` rules need k3s's containerd fork
 * (upstream containerd 1.6's hosts.toml has no rewriting), so a file using them is refused rather
 * than half applied. Bad input throws with the file name and the offending key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_REGISTRIES_FILE } from '../../api/defaults.js';
import { createRequire } from 'node:module';
import type { RegistryAuth, RegistryConfig } from '../containerd/config.js';

interface TlsConfig { ca_file?: string; cert_file?: string; key_file?: string; insecure_skip_verify?: boolean }
interface HostConfig { auth?: { username?: string; password?: string; auth?: string; identity_token?: string }; tls?: TlsConfig }
interface Mirror { endpoint?: string[]; rewrite?: Record<string, string> }

const require = createRequire(import.meta.url);
const q = (s: string) => JSON.stringify(s);

/** `https://mirror:5000/v2` -> its scheme and host:port. */
function endpointHost(url: string, where: string): { scheme: string; host: string } {
  let u: URL;
  try {
    u = new URL(url.includes('://') ? url : `https://${url}`);
  } catch {
    throw new Error(`${where}: invalid endpoint URL ${q(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${where}: endpoint ${q(url)} must be http:// or https://`);
  return { scheme: u.protocol.slice(0, -1), host: u.host };
}

/** The upstream server of a registry name (containerd's default for docker.io). */
const upstream = (registry: string): string => (registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`);

function tlsLines(t: TlsConfig | undefined): string[] {
  if (!t) return [];
  const out: string[] = [];
  if (t.ca_file) out.push(`  ca = ${q(t.ca_file)}`);
  if (t.cert_file && t.key_file) out.push(`  client = [[${q(t.cert_file)}, ${q(t.key_file)}]]`);
  if (t.insecure_skip_verify) out.push('  skip_verify = true');
  return out;
}

function checkString(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`${where} must be a string`);
  return v;
}

function checkConfigs(raw: unknown, path: string): Record<string, HostConfig> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${path}: configs must be a mapping of registry hosts`);
  const out: Record<string, HostConfig> = {};
  for (const [host, c] of Object.entries(raw as Record<string, Record<string, unknown> | null>)) {
    const where = `${path}: configs.${host}`;
    for (const k of Object.keys(c ?? {})) if (k !== 'auth' && k !== 'tls') throw new Error(`${where}: unknown key ${q(k)} (auth, tls)`);
    const a = c?.auth as Record<string, unknown> | undefined;
    const t = c?.tls as Record<string, unknown> | undefined;
    for (const k of Object.keys(a ?? {})) if (!['username', 'password', 'auth', 'identity_token'].includes(k)) throw new Error(`${where}.auth: unknown key ${q(k)}`);
    for (const k of Object.keys(t ?? {})) if (!['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify'].includes(k)) throw new Error(`${where}.tls: unknown key ${q(k)}`);
    if (t?.insecure_skip_verify !== undefined && typeof t.insecure_skip_verify !== 'boolean') throw new Error(`${where}.tls.insecure_skip_verify must be true or false`);
    if (!!t?.cert_file !== !!t?.key_file) throw new Error(`${where}.tls: cert_file and key_file go together`);
    out[host] = {
      auth: a ? { username: checkString(a.username, `${where}.auth.username`), password: checkString(a.password, `${where}.auth.password`), auth: checkString(a.auth, `${where}.auth.auth`), identity_token: checkString(a.identity_token, `${where}.auth.identity_token`) } : undefined,
      tls: t ? { ca_file: checkString(t.ca_file, `${where}.tls.ca_file`), cert_file: checkString(t.cert_file, `${where}.tls.cert_file`), key_file: checkString(t.key_file, `${where}.tls.key_file`), insecure_skip_verify: t.insecure_skip_verify as boolean | undefined } : undefined,
    };
  }
  return out;
}

/** Parses a registries file's text into containerd's registry configuration. */
export function parseRegistriesFile(text: string, path: string): RegistryConfig {
  const { parse } = require('yaml') as typeof import('yaml');
  let doc: { mirrors?: unknown; configs?: unknown } | null;
  try {
    doc = parse(text) as typeof doc;
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return { hosts: [], auths: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: must be a mapping with mirrors and configs`);
  for (const k of Object.keys(doc)) if (k !== 'mirrors' && k !== 'configs') throw new Error(`${path}: unknown key ${q(k)} (mirrors, configs)`);
  const configs = checkConfigs(doc.configs, path);
  const mirrors = (doc.mirrors ?? {}) as Record<string, Mirror | null>;
  if (typeof mirrors !== 'object' || Array.isArray(mirrors)) throw new Error(`${path}: mirrors must be a mapping of registry names`);

  const hosts: RegistryConfig['hosts'] = [];
  const covered = new Set<string>();
  for (const [registry, m] of Object.entries(mirrors)) {
    const where = `${path}: mirrors.${registry}`;
    for (const k of Object.keys(m ?? {})) if (k !== 'endpoint' && k !== 'rewrite') throw new Error(`${where}: unknown key ${q(k)} (endpoint, rewrite)`);
    if (m?.rewrite && Object.keys(m.rewrite).length > 0) {
      throw new Error(`${where}.rewrite: rewrites need k3s's containerd fork; upstream containerd's hosts.toml cannot rewrite repositories (mirror the images under their own names instead)`);
    }
    const endpoints = m?.endpoint ?? [];
    if (!Array.isArray(endpoints) || endpoints.some((e) => typeof e !== 'string')) throw new Error(`${where}.endpoint must be a list of URLs`);
    const dir = registry === '*' ? '_default' : registry;
    const lines = [`# Generated by Bosun from ${path}.`];
    if (registry !== '*') lines.push(`server = ${q(upstream(registry))}`);
    for (const e of endpoints) {
      const { scheme, host } = endpointHost(e, `${where}.endpoint`);
      lines.push('', `[host.${q(e.includes('://') ? e : `https://${e}`)}]`, '  capabilities = ["pull", "resolve"]');
      const tls = tlsLines(configs[host]?.tls);
      lines.push(...(scheme === 'http' && !tls.includes('  skip_verify = true') ? ['  skip_verify = true'] : []), ...tls);
    }
    // The registry itself comes last (k3s's default endpoint); its own TLS settings go on the server.
    const own = tlsLines(configs[registry]?.tls);
    if (registry !== '*' && own.length) lines.push('', `[host.${q(upstream(registry))}]`, '  capabilities = ["pull", "resolve"]', ...own);
    hosts.push({ dir, toml: `${lines.join('\n')}\n` });
    covered.add(registry);
  }
  // A registry with TLS settings but no mirror entry: a hosts file for the registry alone.
  for (const [host, c] of Object.entries(configs)) {
    if (covered.has(host) || !c.tls) continue;
    hosts.push({ dir: host, toml: [`# Generated by Bosun from ${path}.`, `server = ${q(upstream(host))}`, '', `[host.${q(upstream(host))}]`, '  capabilities = ["pull", "resolve"]', ...tlsLines(c.tls), ''].join('\n') });
  }
  const auths: RegistryAuth[] = Object.entries(configs).filter(([, c]) => c.auth).map(([host, c]) => ({
    host, username: c.auth!.username, password: c.auth!.password, auth: c.auth!.auth, identityToken: c.auth!.identity_token,
  }));
  return { hosts, auths };
}

/** The registries of a node: `path` (--registries) if given, else DEFAULT_REGISTRIES_FILE when present. */
export function loadRegistries(path: string | undefined, defaultPath: string = DEFAULT_REGISTRIES_FILE): RegistryConfig | undefined {
  if (path) return readRegistriesFile(path);
  return existsSync(defaultPath) ? readRegistriesFile(defaultPath) : undefined;
}

/** Reads and parses a registries file. */
export function readRegistriesFile(path: string): RegistryConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read registries file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRegistriesFile(text, path);
}
