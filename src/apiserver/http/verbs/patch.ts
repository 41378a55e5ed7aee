import { errors } from '../../../api/status.js';
import type { PatchType } from '../../storage/types.js';
import { requireObject } from '../body.js';
import type { BodyFormat } from '../media.js';
import { parseWriteOptions } from '../write-options.js';
import { bodyOf, respond, useWriteOptions, type VerbRequest } from './verb-request.js';

const patchTypes: Partial<Record<BodyFormat, PatchType>> = {
  'json-patch': 'json', 'merge-patch': 'merge', 'strategic-merge-patch': 'strategic', 'apply-patch': 'apply',
};

/**
 * The request's patch by its content type, checked, with the PatchOptions of the query in effect;
 * `allowApply` false: an apply patch is 415, as for a subresource upstream serves without apply.
 */
export async function patchOf(r: VerbRequest, allowApply = true): Promise<{ type: PatchType; body: unknown; force: boolean | undefined }> {
  const { value, format } = await bodyOf(r.req, (f) => patchTypes[f] !== undefined && (allowApply || f !== 'apply-patch'));
  const type = patchTypes[format]!;
  if (value === undefined) throw errors.badRequest('the patch body is empty');
  // A JSON patch's shape is checked where it is applied (jsonpatch.DecodePatch's 400), after the
  // object is read: a patch of a missing object is 404 whatever its body, as upstream's patcher
  // answers createNewObject before decoding the patch.
  if (type !== 'json') requireObject(value, 'the patch');
  const { force } = useWriteOptions(r.ctx, parseWriteOptions(r.query, 'PatchOptions', r.req.headers['user-agent'], type));
  return { type, body: value, force };
}

/** PATCH of a named object (JSON, merge, strategic merge or apply patch, by content type); 201 when an apply created it. */
export async function servePatch(r: VerbRequest): Promise<void> {
  const { path: p, ctx } = r;
  if (p.name === undefined) throw errors.methodNotAllowed('PATCH needs an object name');
  const { type, body, force } = await patchOf(r);
  const { object, created } = await r.storage.patch(ctx, r.ns, p.name, { type, body, force }, r.sub);
  respond(r.res, ctx, created ? 201 : 200, r.storage, object, r.fmt);
}
