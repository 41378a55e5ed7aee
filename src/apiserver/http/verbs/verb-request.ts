/**
 * What every verb handler of a resource request gets (resource-handler.ts resolves it once), and
 * the pieces they share: reading a body of an accepted format, applying write options, and
 * rendering the result in the negotiated format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../../api/meta.js';
import { errors, type Status } from '../../../api/status.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import type { RequestContext, ResourceStorage, StorageSubresource } from '../../storage/types.js';
import { decodeBody, readBody } from '../body.js';
import { auditRequestObject } from '../../audit/audit-context.js';
import { bodyFormatOf, type BodyFormat, type OutputFormat } from '../media.js';
import type { ResourcePath } from '../request-info.js';
import { setWarnings, writeBody } from '../respond.js';
import { render } from '../table.js';
import type { WriteOptions } from '../write-options.js';

/** Group, version and kind a body must name (the resource's own, or autoscaling/v1 Scale). */
export interface BodyKind {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

export interface VerbRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  path: ResourcePath;
  ctx: RequestContext;
  fmt: OutputFormat;
  storage: ResourceStorage;
  def: ResourceDefinition;
  /** The namespace, for a namespaced resource only. */
  ns: string | undefined;
  /** The status or scale subresource, when the path names one. */
  sub: StorageSubresource | undefined;
  ownKind: BodyKind;
  bodyKind: BodyKind;
}

export async function bodyOf(req: IncomingMessage, allowed: (f: BodyFormat) => boolean): Promise<{ value: unknown; format: BodyFormat }> {
  const ct = req.headers['content-type'];
  const format = bodyFormatOf(ct);
  if (!format || !allowed(format)) throw errors.unsupportedMediaType(ct ?? '');
  const value = decodeBody(await readBody(req), format);
  auditRequestObject(req, value);
  return { value, format };
}

export const objectBody = (f: BodyFormat): boolean => f === 'json' || f === 'yaml' || f === 'protobuf';

export function respond(res: ServerResponse, ctx: RequestContext, code: number, storage: ResourceStorage, body: unknown, fmt: OutputFormat, def = storage.def): void {
  setWarnings(res, ctx.warnings);
  const isStatus = (body as Status)?.kind === 'Status';
  const shown = isStatus ? body : render(def, body as KubeObject, fmt);
  writeBody(res, code, shown, fmt.encoding);
}

/** Puts a write's options into the request context; returns them. */
export function useWriteOptions(ctx: RequestContext, o: WriteOptions): WriteOptions {
  ctx.dryRun = o.dryRun;
  ctx.fieldValidation = o.fieldValidation;
  ctx.fieldManager = o.fieldManager;
  return o;
}
