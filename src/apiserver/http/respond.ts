/**
 * Writing answers. Every failure becomes a Kubernetes Status with the matching HTTP code; unexpected
 * exceptions become a 500 InternalError whose message never carries a stack trace.
 */
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { errors, StatusError, type Status } from '../../api/status.js';
import type { Encoding } from './media.js';
import { auditResponseObject } from '../audit/audit-context.js';
import { objectJson } from '../storage/codec.js';

/** Content-Type for each encoding. */
export const contentTypes: Record<Encoding, string> = { json: 'application/json', yaml: 'application/yaml' };

/** Adds `Warning: 299 - "..."` headers (RFC 7234 warn-code 299 as kube-apiserver sends them). */
export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader('Warning', warningValues(warnings));
}

/** The Warning header values of `warnings`: duplicates dropped, at most 50, one value per header line. */
export function warningValues(warnings: readonly string[]): string[] {
  return [...new Set(warnings)].slice(0, 50).map((w) => headerSafe(`299 - ${JSON.stringify(w.replace(/[\r\n]+/g, ' '))}`));
}

/**
 * A header value carrying UTF-8 text as Go writes it (raw UTF-8 bytes; Node only accepts latin1
 * characters, so the bytes are handed over as such). Warnings quote client input (an unknown field's
 * name), which may hold any character; lone surrogates become U+FFFD.
 */
function headerSafe(v: string): string {
  return /^[\t\x20-\x7e]*$/.test(v) ? v : Buffer.from(v, 'utf8').toString('latin1');
}

/** Serialises `body` and ends the response, unless one was already sent (e.g. after a timeout). */
export function writeBody(res: ServerResponse, code: number, body: unknown, encoding: Encoding = 'json', contentType?: string): void {
  if (res.headersSent || res.writableEnded) return;
  auditResponseObject(res, body);
  const text = encoding === 'yaml' ? toYaml(body) : objectJson(body);
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(code, { 'Content-Type': contentType ?? contentTypes[encoding], 'Content-Length': payload.length });
  res.end(payload);
}

/** Converts anything thrown into a Status (unknown errors are logged by the caller, not shown). */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const s = (err as { status?: unknown })?.status;
  if (s && typeof s === 'object' && (s as Status).kind === 'Status') return s as Status;
  return errors.internal().status;
}

/** Writes a Status for `err`. */
export function writeError(res: ServerResponse, err: unknown, encoding: Encoding = 'json'): void {
  const status = toStatus(err);
  writeBody(res, status.code || 500, status, encoding);
}

/** Plain text answers (health checks). */
export function writeText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
