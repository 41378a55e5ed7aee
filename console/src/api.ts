/**
 * The console's only way to the cluster: the Kubernetes API of the server that served the page, with
 * the signed-in user's bearer token (kept in sessionStorage: gone when the tab closes, never a
 * cookie). Every failure is the server's Status, kept whole so pages can show its message in place.
 */
const TOKEN_KEY = 'bosun.console.token';

let token: string | undefined = sessionStorage.getItem(TOKEN_KEY) ?? undefined;

export const getToken = (): string | undefined => token;
export function setToken(t: string | undefined): void {
  token = t;
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface Status {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

export class ApiError extends Error {
  constructor(readonly code: number, readonly status: Status) {
    super(status.message ?? `HTTP ${code}`);
  }
}

/** Listeners told when the server answers 401 (the token expired or was revoked). */
const unauthorizedListeners = new Set<() => void>();
export const onUnauthorized = (f: () => void): (() => void) => {
  unauthorizedListeners.add(f);
  return () => unauthorizedListeners.delete(f);
};

export interface RequestOptions {
  method?: string;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  accept?: string;
}

export async function raw(path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (o.contentType) headers['Content-Type'] = o.contentType;
  const res = await fetch(path, { method: o.method ?? 'GET', headers, body: o.body, signal: o.signal, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    let status: Status;
    try {
      status = (await res.json()) as Status;
    } catch {
      status = { code: res.status, message: `${res.status} ${res.statusText}` };
    }
    if (res.status === 401) for (const f of unauthorizedListeners) f();
    throw new ApiError(res.status, status);
  }
  return res;
}

export async function request<T>(path: string, o: RequestOptions = {}): Promise<T> {
  return (await raw(path, o)).json() as Promise<T>;
}

export const json = <T>(path: string, method: string, body: unknown, contentType = 'application/json'): Promise<T> =>
  request<T>(path, { method, body: JSON.stringify(body), contentType });

/** Reads a streamed body line by line (watches, followed logs) until it ends or `signal` aborts. */
export async function readLines(res: Response, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  const stop = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
    if (buf) onLine(buf);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** The message to show for anything thrown by a request. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status.message ?? `${e.code}`;
  return e instanceof Error ? e.message : String(e);
}

const b64url = (s: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * WebSocket subprotocols carrying the token (browsers cannot set headers on a WebSocket): upstream's
 * `base64url.bearer.authorization.k8s.io.<token>` beside the real protocols.
 */
export const withBearerProtocol = (protocols: string[]): string[] => (token ? [...protocols, `base64url.bearer.authorization.k8s.io.${b64url(token)}`] : protocols);

/** ws(s)://this-host + path. */
export const wsUrl = (path: string): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
