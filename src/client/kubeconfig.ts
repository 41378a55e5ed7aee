/**
 * Reading the parts of a kubeconfig file the client needs: the current context's cluster (server,
 * CA) and user (client certificate and key, or bearer token). Paths inside the file are relative to
 * the file's own directory, as kubectl resolves them.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';

/** Everything needed to reach and authenticate to one API server. PEM strings, not paths. */
export interface ConnectionConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443`. `http:` is accepted for tests and local setups. */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
  /** Skip server certificate verification (kubeconfig `insecure-skip-tls-verify`). */
  insecureSkipTLSVerify?: boolean;
  /** Sent as User-Agent; the API server derives the default fieldManager from it. */
  userAgent?: string;
}

interface Named<T> { name: string; [k: string]: unknown; cluster?: T; user?: T; context?: T }

/** Load a kubeconfig file; `context` overrides `current-context`. */
export function loadKubeconfig(path: string, context?: string): ConnectionConfig {
  const text = readFileSync(path, 'utf8');
  return parseKubeconfig(text, dirname(resolve(path)), context);
}

const require = createRequire(import.meta.url);

/**
 * JSON is YAML, and Bosun writes node kubeconfigs as JSON: those parse without loading the YAML
 * library at all (3 MB of a node agent's resident set). Anything else goes through `yaml`.
 */
function parseDocument(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // Flow-style YAML that is not JSON: fall through.
    }
  }
  return (require('yaml') as typeof import('yaml')).parse(text);
}

/** Parse kubeconfig text; `baseDir` resolves relative file references. */
export function parseKubeconfig(text: string, baseDir: string, context?: string): ConnectionConfig {
  const doc = (parseDocument(text) ?? {}) as Record<string, unknown>;
  const contexts = (doc.contexts ?? []) as Named<Record<string, string>>[];
  const clusters = (doc.clusters ?? []) as Named<Record<string, unknown>>[];
  const users = (doc.users ?? []) as Named<Record<string, unknown>>[];
  const ctxName = context ?? (doc['current-context'] as string | undefined);
  const ctx = contexts.find((c) => c.name === ctxName)?.context ?? (contexts.length === 1 ? contexts[0].context : undefined);
  if (!ctx) throw new Error(`kubeconfig: context ${JSON.stringify(ctxName ?? '')} not found`);
  const cluster = clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') throw new Error(`kubeconfig: cluster ${JSON.stringify(ctx.cluster)} not found or has no server`);
  const user = users.find((u) => u.name === ctx.user)?.user ?? {};

  const material = (data: unknown, file: unknown): Buffer | undefined => {
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    if (typeof file === 'string' && file) return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file));
    return undefined;
  };
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string') token = readFileSync(resolve(baseDir, user.tokenFile), 'utf8').trim();

  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: material(user['client-certificate-data'], user['client-certificate']),
    key: material(user['client-key-data'], user['client-key']),
    token,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}
