import type { VerbRequest } from './verb-request.js';
import { respond } from './verb-request.js';

/** GET of one object or of its status/scale (a Table of a Scale is shown as the object, as upstream). */
export async function serveGet(r: VerbRequest, name: string): Promise<void> {
  const { fmt, sub } = r;
  const shown = sub ? { ...fmt, as: fmt.as === 'Table' && sub === 'scale' ? 'object' as const : fmt.as } : fmt;
  respond(r.res, r.ctx, 200, r.storage, await r.storage.get(r.ctx, r.ns, name, sub), shown);
}
