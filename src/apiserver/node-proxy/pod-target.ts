/**
 * Which node and container a pods/log, pods/exec, pods/attach or pods/portforward request goes to, with
 * kube-apiserver's checks and messages: the container defaults to the only one (else the caller must
 * choose), must be one of the pod's (init and ephemeral containers included), and the pod must have
 * been scheduled.
 */
import { queryBool } from '../../api/query-params.js';
import { errors } from '../../api/status.js';
import { optionsQuery, type StreamingRequest } from '../http/streaming.js';
import type { RequestContext } from '../storage/types.js';

interface PodLike {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: {
    nodeName?: string;
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
  status?: { phase?: string };
}

export interface PodTarget {
  namespace: string;
  pod: string;
  nodeName: string;
  /** Undefined for port-forward (the whole pod). */
  container?: string;
  phase?: string;
}

/** The storage context of a streaming request: read as its caller. */
export function ctxOf(r: StreamingRequest): RequestContext {
  return { user: r.user.name, groups: r.user.groups, dryRun: false, fieldValidation: 'Ignore', warnings: [] };
}

/**
 * The request as its admitted options say: a mutating webhook's PodExecOptions, PodAttachOptions or
 * PodPortForwardOptions replace the query the handler reads (upstream's ExecLocation, AttachLocation
 * and PortForwardLocation build the kubelet URL from the options, not from the request).
 */
export function withAdmittedOptions(r: StreamingRequest): StreamingRequest {
  return r.options ? { ...r, query: optionsQuery(r.options) } : r;
}

export async function resolvePodTarget(r: StreamingRequest, needsContainer: boolean): Promise<PodTarget> {
  const namespace = r.namespace ?? 'default';
  const pod = (await r.storage.get(ctxOf(r), namespace, r.name)) as PodLike;
  let container: string | undefined;
  if (needsContainer) {
    const names = (pod.spec?.containers ?? []).map((c) => c.name);
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name), ...(pod.spec?.ephemeralContainers ?? []).map((c) => c.name)];
    container = r.query.get('container') || undefined;
    if (!container) {
      const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      if (names.length === 1) container = names[0];
      else if (annotated && all.includes(annotated)) container = annotated;
      else throw errors.badRequest(`a container name must be specified for pod ${r.name}, choose one of: [${all.join(' ')}]`);
    }
    if (!all.includes(container!)) throw errors.badRequest(`container ${container} is not valid for pod ${r.name}`);
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw errors.badRequest(`pod ${r.name} does not have a host assigned`);
  return { namespace, pod: r.name, nodeName, container, phase: pod.status?.phase };
}

const seg = encodeURIComponent;

/**
 * kubelet's log URL. Booleans are read here as upstream decodes PodLogOptions and passed on as
 * `true` (LogLocation adds only the true ones), so `follow=True` follows.
 */
export function containerLogsPath(t: PodTarget, q: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const k of ['follow', 'previous', 'timestamps']) if (queryBool(q, k)) out.set(k, 'true');
  for (const k of ['tailLines', 'limitBytes', 'sinceSeconds', 'sinceTime']) {
    const v = q.get(k);
    if (v !== null && v !== '') out.set(k, v);
  }
  const qs = out.toString();
  return `/containerLogs/${seg(t.namespace)}/${seg(t.pod)}/${seg(t.container!)}${qs ? `?${qs}` : ''}`;
}

export interface StdioParams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecParams extends StdioParams {
  command: string[];
}

const truthy = (q: URLSearchParams, name: string): boolean => queryBool(q, name) ?? false;

/** pods/attach query (stdin, stdout, stderr, tty) as kube-apiserver reads it. */
export function parseStdioParams(q: URLSearchParams): StdioParams {
  const p = { stdin: truthy(q, 'stdin'), stdout: truthy(q, 'stdout'), stderr: truthy(q, 'stderr'), tty: truthy(q, 'tty') };
  if (!p.stdin && !p.stdout && !p.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return p;
}

/** pods/exec query: the stdio flags and the command (repeated `command`). */
export function parseExecParams(q: URLSearchParams): ExecParams {
  const command = q.getAll('command');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  return { command, ...parseStdioParams(q) };
}

function stdioQuery(p: StdioParams, q = new URLSearchParams()): URLSearchParams {
  if (p.stdin) q.set('input', '1');
  if (p.stdout) q.set('output', '1');
  if (p.stderr && !p.tty) q.set('error', '1');
  if (p.tty) q.set('tty', '1');
  return q;
}

/** kubelet's exec URL: its parameter names are command, input, output, error, tty. */
export function execPath(t: PodTarget, p: ExecParams): string {
  const q = new URLSearchParams();
  for (const c of p.command) q.append('command', c);
  return `/exec/${seg(t.namespace)}/${seg(t.pod)}/${seg(t.container!)}?${stdioQuery(p, q).toString()}`;
}

/** kubelet's attach URL. */
export function attachPath(t: PodTarget, p: StdioParams): string {
  return `/attach/${seg(t.namespace)}/${seg(t.pod)}/${seg(t.container!)}?${stdioQuery(p).toString()}`;
}

/**
 * The `ports` query values as upstream's Convert_Slice_string_To_Slice_int32 decodes them: repeated or
 * comma-separated, each a base-10 unsigned 16-bit number; anything else is the request's 400 (upstream's
 * ConnectResource answers a query it cannot decode with BadRequest), never a port silently dropped.
 */
export function portsOption(values: string[]): number[] {
  const out: number[] = [];
  for (const value of values) {
    for (const v of value.split(',')) {
      const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
      if (!(n <= 65535)) {
        const why = Number.isNaN(n) ? 'invalid syntax' : 'value out of range';
        throw errors.badRequest(`cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(v)}: ${why}`);
      }
      out.push(n);
    }
  }
  return out;
}

export function portForwardPath(t: PodTarget, q: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const p of portsOption(q.getAll('ports'))) out.append('port', String(p));
  const qs = out.toString();
  return `/portForward/${seg(t.namespace)}/${seg(t.pod)}${qs ? `?${qs}` : ''}`;
}
