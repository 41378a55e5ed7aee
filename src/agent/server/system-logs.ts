/**
 * GET /logs/{path}: the node's log directory (/var/log) as the kubelet serves it. Upstream's
 * pkg/kubelet/server/server.go InstallSystemLogHandler routes /logs/ to getLogs, which (without
 * the NodeLogQuery options: enableSystemLogQuery defaults to false) hands the request to the
 * kubelet's ServeLogs, Go's http.FileServer(http.Dir("/var/log/")) behind StripPrefix("/logs/").
 * So this answers as that FileServer: the cleaned path below the root (no escape by ".."; symlinks
 * followed as os.Open does), a directory as Go's dirList HTML (entries sorted by name, directories
 * with a trailing '/'), a directory without its trailing '/' redirected to it, a file streamed, and
 * Go's plain-text errors ("404 page not found"). Authorization (nodes/log, admin only) happens before
 * (node-attributes.ts).
 */
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join, posix } from 'node:path';

/** The kubelet's log directory. */
export const SYSTEM_LOG_DIR = '/var/log';

/** Go's http.Error: plain text with nosniff. */
function goError(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }).end(`${text}\n`);
}

/** Go's toHTTPError: missing -> 404, permission -> 403, else 500. */
function fsError(res: ServerResponse, err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return goError(res, 404, '404 page not found');
  if (code === 'EACCES' || code === 'EPERM') return goError(res, 403, '403 Forbidden');
  goError(res, 500, '500 Internal Server Error');
}

/** Go's localRedirect: a relative Location, 301. */
function redirect(res: ServerResponse, location: string): void {
  res.writeHead(301, { Location: location }).end();
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

/** url.URL{Path: name}.String(): a path-escaped name, "./" first when its first segment has a ':'. */
function hrefOf(name: string): string {
  const escaped = encodeURI(name).replace(/[?#]/g, (c) => encodeURIComponent(c));
  return /^[^/]*:/.test(name) ? `./${escaped}` : escaped;
}

async function listDirectory(res: ServerResponse, dir: string, head: boolean, modified: Date): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Sorted by name as bytes, then a directory gets its '/' (Go's ReadDir: a symlink to a directory is not one).
  const sorted = entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const names = sorted.map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
  const body = `<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n${names.map((n) => `<a href="${hrefOf(n)}">${escapeHtml(n)}</a>\n`).join('')}</pre>\n`;
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Last-Modified': modified.toUTCString() });
  res.end(head ? undefined : body);
}

/** http.DetectContentType's answers for what /var/log holds: gzip, other binary, or text. */
async function sniff(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead);
    if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'application/x-gzip';
    // Go: a byte in 0x00-0x08, 0x0B, 0x0E-0x1A or 0x1C-0x1F makes it binary.
    if (head.some((b) => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f))) return 'application/octet-stream';
    return 'text/plain; charset=utf-8';
  } finally {
    await fh.close();
  }
}

function sendFile(res: ServerResponse, file: string, st: Stats, type: string, head: boolean): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': st.size, 'Last-Modified': st.mtime.toUTCString(), 'Accept-Ranges': 'bytes' });
  if (head) return void res.end();
  const stream = createReadStream(file, { start: 0, end: Math.max(st.size - 1, 0) });
  stream.on('error', () => res.destroy());
  if (st.size === 0) return void res.end();
  stream.pipe(res);
}

/** Serves `subpath` (the URL path after /logs/, still percent-decoded) below `root`. */
export async function serveSystemLogs(req: IncomingMessage, res: ServerResponse, root: string, subpath: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return goError(res, 405, 'Method Not Allowed');
  const head = req.method === 'HEAD';
  const urlPath = `/${subpath}`;
  const file = join(root, posix.normalize(`/${subpath}`));
  let st: Stats;
  try {
    st = await stat(file);
  } catch (err) {
    return fsError(res, err);
  }
  if (st.isDirectory()) {
    if (!urlPath.endsWith('/')) return redirect(res, `${basename(urlPath)}/`);
    try {
      return await listDirectory(res, file, head, st.mtime);
    } catch (err) {
      return fsError(res, err);
    }
  }
  if (urlPath.endsWith('/')) return redirect(res, `../${basename(urlPath)}`);
  let type: string;
  try {
    type = await sniff(file);
  } catch (err) {
    return fsError(res, err);
  }
  sendFile(res, file, st, type, head);
}
