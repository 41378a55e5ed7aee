import { scaleTableDefinition } from '../scale-table.js';
import type { VerbRequest } from './verb-request.js';
import { respond } from './verb-request.js';

/** GET of one object or of its status/scale (a Scale's Table has upstream's Scale columns). */
export async function serveGet(r: VerbRequest, name: string): Promise<void> {
  const { fmt, sub } = r;
  const def = sub === 'scale' ? scaleTableDefinition(r.storage.def) : r.storage.def;
  respond(r.res, r.ctx, 200, r.storage, await r.storage.get(r.ctx, r.ns, name, sub), fmt, def);
}
